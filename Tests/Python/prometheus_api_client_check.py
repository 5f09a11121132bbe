"""Drives a running Vigil with the prometheus-api-client package (PrometheusConnect).

Usage: prometheus_api_client_check.py URL T
  URL  the daemon's base URL
  T    Unix seconds of the newest pushed sample (see PythonClientTests.swift for the data)

Every check compares the client's parsed result with the pushed samples. Prints one line per
check, then "N passed, M failed"; exits 1 when any check failed.
"""
import sys
from datetime import datetime, timezone

from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException

url, t = sys.argv[1], int(sys.argv[2])
passed, failed = 0, 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: got {got!r}, want {want!r}")


def at(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def values(result):
    return sorted((r["metric"].get("room") or r["metric"].get("code"), r["value"][1]) for r in result)


for method in ("GET", "POST"):
    prom = PrometheusConnect(url=url, method=method, disable_ssl=True)
    m = f"[{method}] "

    current = prom.get_current_metric_value("vigil_py_temperature", label_config={"room": "kitchen"})
    check(m + "get_current_metric_value", [(r["metric"], r["value"][1]) for r in current],
          [({"__name__": "vigil_py_temperature", "room": "kitchen"}, "22.5")])

    check(m + "custom_query sum", [r["value"][1] for r in prom.custom_query("sum(vigil_py_temperature)")], ["41.5"])
    check(m + "custom_query at a time", values(prom.custom_query("vigil_py_temperature", params={"time": t - 60})),
          [("kitchen", "21.5")])
    check(m + "custom_query count_over_time",
          values(prom.custom_query("count_over_time(vigil_py_requests_total[5m])", params={"time": t})),
          [("200", "3"), ("500", "1")])
    check(m + "custom_query scalar", prom.custom_query("scalar(max(vigil_py_requests_total))", params={"time": t}),
          [t, "220"])

    rng = prom.custom_query_range('vigil_py_temperature{room="kitchen"}', start_time=at(t - 60), end_time=at(t), step="30s")
    check(m + "custom_query_range", [(r["metric"]["room"], r["values"]) for r in rng],
          [("kitchen", [[t - 60, "21.5"], [t - 30, "21.5"], [t, "22.5"]])])
    rng = prom.custom_query_range("sum(vigil_py_requests_total)", start_time=at(t - 120), end_time=at(t), step="60")
    check(m + "custom_query_range float step", [r["values"] for r in rng],
          [[[t - 120, "100"], [t - 60, "160"], [t, "227"]]])

    data = prom.get_metric_range_data("vigil_py_temperature", label_config={"room": "office"},
                                      start_time=at(t - 30), end_time=at(t + 10))
    check(m + "get_metric_range_data", [(r["metric"]["room"], r["values"]) for r in data], [("office", [[t, "19"]])])
    data = prom.get_metric_range_data("vigil_py_requests_total", label_config={"code": "200"},
                                      start_time=at(t - 150), end_time=at(t + 30), chunk_size=(at(t + 30) - at(t - 60)))
    check(m + "get_metric_range_data in chunks", sorted(v for r in data for v in r["values"]),
          [[t - 120, "100"], [t - 60, "160"], [t, "220"]])

    names = prom.all_metrics()
    check(m + "all_metrics", [n for n in names if n.startswith("vigil_py_")], ["vigil_py_requests_total", "vigil_py_temperature"])
    labels = prom.get_label_names(params={"match[]": "vigil_py_temperature"})
    check(m + "get_label_names", labels, ["__name__", "room"])
    check(m + "get_label_values", prom.get_label_values("room"), ["kitchen", "office"])
    check(m + "get_label_values with match[]", prom.get_label_values("code", params={"match[]": 'vigil_py_requests_total{code!="200"}'}), ["500"])
    series = prom.get_series(at(t - 300), at(t + 1), params={"match[]": "vigil_py_temperature"})
    check(m + "get_series", series, [{"__name__": "vigil_py_temperature", "room": "kitchen"},
                                     {"__name__": "vigil_py_temperature", "room": "office"}])
    try:
        prom.custom_query("sum(")
        check(m + "bad query raises", "no exception", "PrometheusApiClientException")
    except PrometheusApiClientException as e:
        check(m + "bad query raises", "400" in str(e) and "unclosed left parenthesis" in str(e), True)
    try:
        import numpy  # noqa: F401  (get_metric_aggregation needs it)
        agg = prom.get_metric_aggregation("vigil_py_temperature", ["sum", "max", "min"], params={"time": t})
        check(m + "get_metric_aggregation", {k: float(v) for k, v in agg.items()}, {"sum": 41.5, "max": 22.5, "min": 19.0})
    except ImportError:
        print("notice: numpy missing, get_metric_aggregation not checked")
    prom.close()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
