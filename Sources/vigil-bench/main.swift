import Config
import Dispatch
import Glibc
import Model
import Scrape
import TSDB

// vigil-bench: in-process storage benchmarks for bench/tsdb.sh (no network).
//   vigil-bench append SERIES SCRAPES DIR
//     Scrape-cache path: one target of SERIES series, its exposition body parsed and appended
//     SCRAPES times through the scrape engine (cache hits, one batch and one WAL write per
//     scrape) into a DB in DIR (created, WAL in DIR/wal); then the same number of samples through
//     the head appender with cached references. Prints samples/s for each. Pin it to one core
//     (taskset) to get the one-core figure.
//   vigil-bench select DIR MINT MAXT ROUNDS LABEL REGEX
//     Opens the DB in DIR and walks select + decode over every series matching LABEL=~REGEX in
//     [MINT, MAXT] (Unix seconds, inclusive); prints series, samples and samples/s per round.

//   vigil-bench wal DIR TARGETS SERIES_PER_TARGET STEPS
//     Writes a head WAL in DIR: TARGETS × SERIES_PER_TARGET series, STEPS samples each, one
//     batch per target and step (as scrapes write it).
//   vigil-bench open DIR
//     Opens the DB in DIR and prints how long the WAL replay took.

//   vigil-bench chunkstats BLOCK_DIR
//     Reads a block's chunks back: bytes with and without LZ4 at several page sizes, LZ4
//     decompression and decode speed, the largest metric names.

func usage() -> Never {
    print("usage: vigil-bench append SERIES SCRAPES DIR")
    print("       vigil-bench select DIR MINT MAXT ROUNDS LABEL REGEX")
    print("       vigil-bench wal DIR TARGETS SERIES_PER_TARGET STEPS")
    print("       vigil-bench open DIR")
    print("       vigil-bench chunkstats BLOCK_DIR")
    exit(2)
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "append":
    guard args.count == 4, let series = Int(args[1]), let scrapes = Int(args[2]), series > 0, scrapes > 0 else { usage() }
    do { try AppendBench.run(series: series, scrapes: scrapes, dir: args[3]) } catch {
        print("append: \(error)")
        exit(1)
    }
case "select":
    guard args.count == 7, let mint = Int64(args[2]), let maxt = Int64(args[3]), let rounds = Int(args[4]), rounds > 0 else { usage() }
    do { try SelectBench.run(dir: args[1], mint: mint * 1000, maxt: maxt * 1000, rounds: rounds, name: args[5], regex: args[6]) } catch {
        print("select: \(error)")
        exit(1)
    }
case "wal":
    guard args.count == 5, let targets = Int(args[2]), let per = Int(args[3]), let steps = Int(args[4]),
          targets > 0, per > 0, steps > 0 else { usage() }
    do { try ReplayBench.write(dir: args[1], targets: targets, perTarget: per, steps: steps) } catch {
        print("wal: \(error)")
        exit(1)
    }
case "open":
    guard args.count == 2 else { usage() }
    do { try ReplayBench.open(dir: args[1]) } catch {
        print("open: \(error)")
        exit(1)
    }
case "chunkstats":
    guard args.count == 2 else { usage() }
    do {
        let s = try BlockChunkStats.measure(try Block.open(args[1]))
        let per = { (b: Int) in String(format: "%.3f", Double(b) / Double(max(1, s.samples))) }
        var line = "chunkstats: \(s.samples) samples in \(s.chunks) chunks, records \(per(s.rawBytes)) B/sample; LZ4 pages"
        for (size, bytes) in s.lz4Bytes {
            line += String(format: " %dK %@ (%+.1f%%)", size / 1024, per(bytes), (Double(bytes) / Double(max(1, s.rawBytes)) - 1) * 100)
        }
        line += String(format: "; LZ4 decompress %.0f MB/s, decode %.1f M samples/s", Double(s.rawBytes) / s.decompressSeconds / 1e6,
                       Double(s.samples) / s.decodeSeconds / 1e6)
        print(line)
        for f in s.families.prefix(8) {
            print(String(format: "  %-40@ %6d series %9d samples %.3f B/sample (%d of %d chunks XOR, %d constant)", f.name, f.series, f.samples,
                         Double(f.bytes) / Double(max(1, f.samples)), f.xorChunks, f.chunks, f.constantChunks))
        }
    } catch {
        print("chunkstats: \(error)")
        exit(1)
    }
default:
    usage()
}
