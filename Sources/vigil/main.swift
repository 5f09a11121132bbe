import Daemon

// The executable only hands the process to the daemon module; all logic lives there.
await VigilMain.run(arguments: Array(CommandLine.arguments.dropFirst()))
