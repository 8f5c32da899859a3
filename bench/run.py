"""The benchmark: the app under gunicorn on loopback, loaded with wrk; see bench/README.md.

    ./run bench            throughput and latency of each target, QR cost, autocomplete, memory
    ./run bench --load     also the 60-second load test (64 connections, valid and invalid mix)

Prints figures; exits non-zero if a load test saw a 5xx or a connection error. The targets are
reported as met or not, they do not change the exit status (figures vary between machines).
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from bisect import bisect_left
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import Gunicorn, http_get, run_wrk  # noqa: E402
from bench.workload import Inputs, api_mix, first_view_pages, load_mix  # noqa: E402
from compliance import qr, tokens  # noqa: E402
from compliance.build import build_database  # noqa: E402
from compliance.dataset import Dataset  # noqa: E402
from compliance.engine import Device, Trip  # noqa: E402
from compliance.normalize import normalize_model  # noqa: E402
from compliance.vocabulary import Verdict  # noqa: E402

SECRET = "benchmark-secret-not-for-production"
RATIO_TARGETS = {"api": 0.6, "result_repeat": 0.5, "check_first": 0.25}
AUTOCOMPLETE_P99_MS = 5.0
QR_GOAL_MS = 0.25
RENDER_GOAL_MS = 0.4
RSS_LIMIT_MB = 100
CATALOGUE_SIZE = 50_000


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal"))
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- In-process microbenchmarks ---------------------------------------------------------------


def sample_result_urls(n: int, base: str = "HTTPS://CHECK.EXAMPLE.ORG") -> list[str]:
    """Realistic result URLs: real tokens over varied one-leg claims."""
    rng = random.Random(1)
    urls = []
    for i in range(n):
        claim = tokens.Claim(
            Device(model=rng.choice(["A1263", "A1647", "PB-Z1", None]), wh=rng.uniform(5, 99),
                   count=rng.randint(1, 3)),
            (Trip(date=date(2026, 12, 1 + i % 28), airline="EK", origin="DXB",
                  destination="LHR"),),
            datetime(2026, 11, 25, tzinfo=timezone.utc), Verdict.ALLOWED)
        urls.append(f"{base}/R/{tokens.issue(claim, SECRET)}")
    return urls


def per_call_ms(function, items) -> list[float]:
    timings = []
    for item in items:
        started = time.perf_counter()
        function(item)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def qr_microbench(n: int = 200) -> dict:
    """Cost of one QR code, uncached, before and after the fast path (compliance.qrfast):
    qrcode alone with the fixed mask and the version already fitted (the path before), and
    with its trial of all eight masks; the fast matrix; the SVG both ways, the PNG and a cache
    hit; and other encoders for comparison where installed (zxing-cpp's writer, C++; segno,
    pure Python)."""
    import qrcode

    urls = sample_result_urls(n)
    fitted: dict[tuple[int, int], int] = {}

    def qrcode_fixed_mask(url):  # what qr.matrix_uncached did before the fast path
        data = qrcode.util.QRData(url)
        version = fitted.get((data.mode, len(data)))
        code = qrcode.QRCode(version=version, error_correction=qr.ERROR_CORRECTION,
                             border=qr.QUIET_ZONE, mask_pattern=qr.MASK_PATTERN)
        code.add_data(data)
        if version is None:
            fitted[(data.mode, len(data))] = code.best_fit()
        code.make(fit=False)
        return code

    def auto_mask(url):
        code = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION, border=qr.QUIET_ZONE)
        code.add_data(url, optimize=0)
        code.make(fit=True)

    def svg_before(url):  # the drawing as it was, from qrcode's matrix
        matrix = qrcode_fixed_mask(url).get_matrix()
        return "".join(f"M{run.start()} {y}h{len(run[0])}v1h-{len(run[0])}z"
                       for y, row in enumerate(matrix)
                       for run in qr._DARK_RUN.finditer(bytes(row)))

    before = per_call_ms(qrcode_fixed_mask, urls)
    auto = per_call_ms(auto_mask, urls)
    fixed = per_call_ms(qr.matrix_uncached, urls)
    svg_old = per_call_ms(svg_before, urls)
    svg = per_call_ms(qr.svg.__wrapped__, urls)
    png = per_call_ms(qr.png.__wrapped__, urls[:50])
    for url in urls[:20]:
        qr.svg(url)
    hit = per_call_ms(qr.svg, urls[:20] * 50)
    version, modules = qr.info(urls[0])
    figures = {
        "url_chars": len(urls[0]),
        "version": version,
        "modules": modules,
        "qrcode_fixed_mask_ms": statistics.median(before),
        "matrix_auto_mask_ms": statistics.median(auto),
        "matrix_fixed_mask_ms": statistics.median(fixed),
        "svg_before_ms": statistics.median(svg_old),
        "svg_ms": statistics.median(svg),
        "png_ms": statistics.median(png),
        "cache_hit_us": statistics.median(hit) * 1000,
        "svg_bytes": len(qr.svg(urls[0])),
        "same_as_qrcode": all(qr.matrix_uncached(u).modules() == qrcode_fixed_mask(u).modules
                              for u in urls[:50]),
        "others": other_encoders(urls),
    }
    figures.update(decode_check(urls[:10]))
    return figures


def other_encoders(urls: list[str]) -> dict:
    """Median ms per code (matrix only) of other encoders that are installed."""
    found = {}
    try:
        import zxingcpp

        found["zxing-cpp (C++)"] = statistics.median(per_call_ms(
            lambda u: zxingcpp.create_barcode(u, zxingcpp.BarcodeFormat.QRCode, ec_level="Q"),
            urls))
    except (ImportError, AttributeError):
        pass
    try:
        import segno

        found["segno (pure Python)"] = statistics.median(per_call_ms(
            lambda u: segno.make_qr(u, error="q", mask=qr.MASK_PATTERN, boost_error=False),
            urls))
    except ImportError:
        pass
    return found


def render_cost(db_path: Path, inputs: Inputs, n: int = 200) -> dict:
    """Median ms of rendering the first-view page alone (check.html, the engine's answer and
    the QR code already made), in English and in Chinese: the first render of each request, as
    a first view pays it (per-request work included), the templates compiled by a warm-up."""
    from flask import render_template, request

    from compliance import create_app, traveller
    from compliance.db import get_dataset
    from compliance.params import single_values
    from compliance.web import PAGE_PARAMS

    app = create_app({"SECRET_KEY": SECRET, "DATABASE": str(db_path),
                      "DATA_AUTO_BUILD": False, "API_RATE_LIMIT": None,
                      "RESULT_CODES_DATABASE": str(db_path.parent / "render_codes.sqlite")})
    figures = {}
    for lang in ("en", "zh"):
        timings = []
        for index, path in enumerate(first_view_pages(inputs, n + 20)):
            with app.test_request_context(f"{path}&lang={lang}"):
                values = single_values(request.args, PAGE_PARAMS)
                values.pop("lang")
                result = traveller.run_itinerary_check(values)
                context = dict(answer=result.answer, token=result.token,
                               result_url=result.result_url,
                               qr_svg=qr.svg(result.result_url, "QR code of this result"),
                               qr_info=qr.info(result.result_url), code="ABCD1234",
                               issued_at=result.issued_at, data=get_dataset())
                started = time.perf_counter()
                render_template("check.html", **context)
                if index >= 20:  # after the warm-up
                    timings.append((time.perf_counter() - started) * 1000)
        figures[lang] = statistics.median(timings)
    return figures


def decode_check(urls: list[str]) -> dict:
    """Read codes back with a real decoder (zxing-cpp, a test dependency) to prove the fixed
    mask and the compact SVG path still scan."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return {"decoded": "not checked (zxing-cpp not installed)"}
    from io import BytesIO

    ok = 0
    for url in urls:
        results = zxingcpp.read_barcodes(Image.open(BytesIO(qr.png(url))))
        ok += len(results) == 1 and results[0].text == url
    return {"decoded": f"{ok}/{len(urls)}"}


def in_process_costs(db_path: Path, inputs: Inputs, n: int = 300) -> dict:
    """Median milliseconds per request through the Flask test client (no server, no network):
    where the CPU goes, target by target."""
    from compliance import create_app

    app = create_app({"SECRET_KEY": SECRET, "DATABASE": str(db_path),
                      "DATA_AUTO_BUILD": False, "API_RATE_LIMIT": None,
                      "RESULT_CODES_DATABASE": str(db_path.parent / "inproc_codes.sqlite")})
    client = app.test_client()
    api_paths = api_mix(inputs, n)
    check_paths = first_view_pages(inputs, n)
    result_paths = [result_path(client.get(p).get_json()) for p in api_paths[:50]]
    for path in result_paths:
        client.get(path)

    def ms(paths):
        timings = per_call_ms(lambda p: client.get(p).close(), paths)
        return statistics.median(timings)

    return {
        "healthz": ms(["/healthz"] * n),
        "api": ms(api_paths),
        "check_first": ms(check_paths),
        "result_repeat": ms(result_paths * (n // len(result_paths))),
    }


def result_path(api_body: dict) -> str:
    return "/" + api_body["result_url"].split("/", 3)[3]


# --- Server runs ------------------------------------------------------------------------------


def issue_result_paths(server: Gunicorn, inputs: Inputs, n: int) -> list[str]:
    paths = []
    for path in api_mix(inputs, n):
        status, body = http_get(server.url + path)
        if status == 200:
            paths.append(result_path(json.loads(body)))
    return paths


def throughput(server: Gunicorn, inputs: Inputs, workdir: Path, args) -> dict:
    seconds, conns = args.duration, args.connections
    result_paths = issue_result_paths(server, inputs, 50)
    for path in result_paths * 12:  # twelve views each: both workers have cached every one
        http_get(server.url + path)
    expected_first_views = int(seconds * 1500) + 5000
    plan = {
        "healthz": ["/healthz"],
        "api": api_mix(inputs, 5000),
        "check_first": first_view_pages(inputs, expected_first_views),
        "result_repeat": result_paths,
    }
    runs = {}
    for name in ("healthz", "api", "check_first", "result_repeat", "healthz_again"):
        paths = plan[name.replace("_again", "")]
        warm = first_view_pages(inputs, 2000) if name == "check_first" else paths
        run_wrk(server.url, warm, workdir, args.warmup, conns)
        cpu_before = server.cpu_seconds()
        runs[name] = run_wrk(server.url, paths, workdir, seconds, conns)
        runs[name]["worker_cpu_ms"] = ((server.cpu_seconds() - cpu_before) * 1000
                                       / max(1, runs[name]["requests"]))
        print(f"  {name:14s} {runs[name]['rps']:8.0f} req/s", flush=True)
    runs["memory"] = server.memory()
    return runs


def synthetic_catalogue(data_dir: Path, target: Path, size: int) -> int:
    """A copy of data/ whose models.json is padded to ``size`` models with obviously synthetic
    records (brand "Benchmark Synthetic", source example.invalid), for the autocomplete
    benchmark only; never written into the repository."""
    shutil.copytree(data_dir, target)
    models = json.loads((target / "models.json").read_text())
    rng = random.Random(3)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    seen = {m["model"].upper() for m in models}
    while len(models) < size:
        model = (rng.choice(letters) + rng.choice(letters) + str(rng.randint(10, 99999))
                 + rng.choice(["", "-" + rng.choice(letters), "PRO", "S"]))
        if model.upper() in seen:
            continue
        seen.add(model.upper())
        models.append({
            "brand": "Benchmark Synthetic", "model": model,
            "product": "Synthetic benchmark model", "mah": rng.randrange(5000, 30000, 1000),
            "v": 3.7, "wh": None, "ccc": None, "source_url": "https://example.invalid/bench",
            "checked": date.today().isoformat(), "confidence": "partial",
        })
    (target / "models.json").write_text(json.dumps(models))
    return len(models)


def autocomplete(workdir: Path, args) -> dict:
    data_dir = workdir / "data-50k"
    count = synthetic_catalogue(ROOT / "data", data_dir, CATALOGUE_SIZE)
    db_path = workdir / "db-50k" / "compliance.sqlite"
    started = time.perf_counter()
    build_database(data_dir, db_path)
    build_s = time.perf_counter() - started
    data = Dataset.load(db_path)
    rng = random.Random(5)
    typed = [m[1] for m in rng.sample(data.model_index, 2000)]
    queries = [t[: rng.randint(1, min(len(t), 7))] for t in typed]
    figures = {"models": count, "index_entries": len(data.model_index), "build_s": build_s}

    def lookup(query):
        key = normalize_model(query, data.brands)
        index = data.model_index
        found = []
        for position in range(bisect_left(index, (key,)), len(index)):
            if not index[position][0].startswith(key) or len(found) == 10:
                break
            found.append(index[position])
        return found

    timings = sorted(per_call_ms(lookup, queries * 5))
    figures["bisect_p99_ms"] = timings[int(len(timings) * 0.99)]
    with Gunicorn(db_path, SECRET) as server:
        status, _body = http_get(server.url + "/api/v1/models?q=A1")
        figures["endpoint"] = status == 200
        if figures["endpoint"]:
            from urllib.parse import quote

            paths = [f"/api/v1/models?q={quote(q)}" for q in queries]
            run_wrk(server.url, paths, workdir, args.warmup, 2)
            figures["one_per_worker"] = run_wrk(server.url, paths, workdir, args.duration, 2)
            figures["loaded"] = run_wrk(server.url, paths, workdir, args.duration,
                                        args.connections)
        figures["memory"] = server.memory()
    return figures


def load_test(server: Gunicorn, inputs: Inputs, workdir: Path, seconds: int,
              connections: int) -> dict:
    result_paths = issue_result_paths(server, inputs, 100)
    paths = load_mix(inputs, result_paths, 20000)
    return run_wrk(server.url, paths, workdir, seconds, connections, threads=2)


# --- Report -----------------------------------------------------------------------------------


def report(info: dict, qr_fig: dict, costs: dict, runs: dict, auto: dict | None,
           load: dict | None, args) -> list[str]:
    lines = [f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory_gb']} GB RAM, "
             f"Python {info['python']}, Linux {info['kernel']}; {info['date']}",
             f"gunicorn -c gunicorn.conf.py: 2 sync workers; wrk {args.connections} "
             f"connections, 2 threads, {args.duration} s per target after {args.warmup} s "
             "warm-up, on the same machine", ""]
    ceiling = statistics.mean([runs["healthz"]["rps"], runs["healthz_again"]["rps"]])
    lines.append(f"{'target':34s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'ratio':>6s}"
                 f" {'goal':>6s} {'CPU ms/req':>10s} {'in-process':>10s}")
    labels = {
        "healthz": "/healthz (ceiling, first)",
        "healthz_again": "/healthz (ceiling, again at end)",
        "api": "/api/v1/check, real input mix",
        "check_first": "/check first view (new QR each)",
        "result_repeat": "/r/<token> repeat view",
    }
    for name in ("healthz", "api", "check_first", "result_repeat", "healthz_again"):
        run = runs[name]
        ratio = run["rps"] / ceiling
        goal = RATIO_TARGETS.get(name)
        verdict = "" if goal is None else f"{goal:>5.2f}{'✓' if ratio >= goal else '✗'}"
        cost = costs.get(name.replace("_again", ""))
        lines.append(f"{labels[name]:34s} {run['rps']:8.0f} {run['p50_ms']:8.1f} "
                     f"{run['p99_ms']:8.1f} {ratio:6.2f} {verdict:>6s} "
                     f"{run['worker_cpu_ms']:10.2f} {cost:10.2f}")
        if run["s5xx"] or run["connection_errors"] or run["wrapped"] and name == "check_first":
            lines.append(f"    ! 5xx={run['s5xx']} connection errors="
                         f"{run['connection_errors']} inputs reused={run['wrapped']}")
    lines.append(f"  ratio: req/s over the mean of the two /healthz runs ({ceiling:.0f}); CPU "
                 "ms/req: user+system CPU of the two workers per request served; in-process: "
                 "median ms per request through Flask's test client (no server, no network)")
    lines.append(f"  first views: {runs['check_first']['requests']} requests over "
                 f"{runs['check_first']['distinct_paths']} distinct inputs, each a new token "
                 "and a new QR code")
    mem = runs["memory"]
    within = all(m["rss_mb"] < RSS_LIMIT_MB for m in mem)
    lines += ["", "Memory per worker after the runs: " + ", ".join(
        f"RSS {m['rss_mb']:.1f} MB (PSS {m['pss_mb']:.1f})" for m in mem)
        + f"; limit {RSS_LIMIT_MB} MB {'✓' if within else '✗'}"]
    lines += ["", f"QR code per result URL ({qr_fig['url_chars']} characters, version "
              f"{qr_fig['version']}, {qr_fig['modules']}x{qr_fig['modules']} modules, "
              f"alphanumeric mode, ECC Q, fixed mask {qr.MASK_PATTERN}):",
              f"  matrix: before {qr_fig['qrcode_fixed_mask_ms']:.3f} ms (qrcode alone, version "
              f"fitted once), after {qr_fig['matrix_fixed_mask_ms']:.3f} ms (compliance.qrfast,"
              f" same modules: {'yes' if qr_fig['same_as_qrcode'] else 'NO'}); qrcode trying "
              f"all 8 masks {qr_fig['matrix_auto_mask_ms']:.2f} ms",
              f"  SVG in all (the cost a first view pays): before {qr_fig['svg_before_ms']:.3f}"
              f" ms, after {qr_fig['svg_ms']:.3f} ms {'✓' if qr_fig['svg_ms'] < QR_GOAL_MS else '✗'}"
              f" < {QR_GOAL_MS} ms ({qr_fig['svg_bytes']} bytes); PNG {qr_fig['png_ms']:.2f} ms;"
              f" cache hit {qr_fig['cache_hit_us']:.1f} µs; decoded by zxing-cpp: "
              f"{qr_fig['decoded']}"]
    if qr_fig["others"]:
        lines.append("  other encoders, matrix only: " + ", ".join(
            f"{name} {ms:.3f} ms" for name, ms in qr_fig["others"].items()))
    render = costs["render"]
    lines += [f"Result page render alone (check.html, first-view inputs): en {render['en']:.3f} "
              f"ms, zh {render['zh']:.3f} ms {'✓' if max(render.values()) < RENDER_GOAL_MS else '✗'}"
              f" < {RENDER_GOAL_MS} ms"]
    if auto:
        lines += ["", f"Autocomplete over {auto['models']} catalogue models "
                  f"({auto['index_entries']} index entries; synthetic padding, built in "
                  f"{auto['build_s']:.1f} s): in-process bisect p99 "
                  f"{auto['bisect_p99_ms']:.3f} ms"]
        if auto["endpoint"]:
            one, loaded = auto["one_per_worker"], auto["loaded"]
            ok = one["p99_ms"] < AUTOCOMPLETE_P99_MS
            lines.append(f"  /api/v1/models?q=: {one['rps']:.0f} req/s, p50 {one['p50_ms']:.2f}"
                         f" ms, p99 {one['p99_ms']:.2f} ms at 2 connections (one per worker)"
                         f" {'✓' if ok else '✗'} < {AUTOCOMPLETE_P99_MS} ms; at "
                         f"{args.connections} connections {loaded['rps']:.0f} req/s, p99 "
                         f"{loaded['p99_ms']:.2f} ms (queueing included)")
        else:
            lines.append("  /api/v1/models is not served by this build: only the bisect "
                         "lookup over Dataset.model_index was measured")
        lines.append("  memory per worker with 50,000 models: " + ", ".join(
            f"RSS {m['rss_mb']:.1f} MB" for m in auto["memory"]))
    if load:
        lines += [""] + load_lines(load, args)
    return lines


def load_lines(load: dict, args) -> list[str]:
    return [f"Load test: {load['seconds']:.0f} s, {args.load_connections} connections, valid and "
            f"invalid mix over every route: {load['requests']} requests ({load['rps']:.0f} "
            f"req/s), 2xx {load['s2xx']}, 3xx {load['s3xx']}, 4xx {load['s4xx']}, 5xx "
            f"{load['s5xx']}; connection errors {load['connection_errors']} (connect "
            f"{load['connect_errors']}, read {load['read_errors']}, write "
            f"{load['write_errors']}, timeout {load['timeouts']}); latency p50 "
            f"{load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, max "
            f"{load['max_us'] / 1000:.0f} ms",
            "  " + ("PASS: zero 5xx and zero connection errors" if load_ok(load) else "FAIL")]


def load_ok(load: dict) -> bool:
    return load["s5xx"] == 0 and load["connection_errors"] == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load", action="store_true", help="also run the load test")
    parser.add_argument("--load-only", action="store_true", help="only the load test")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-connections", type=int, default=64)
    parser.add_argument("--skip-autocomplete", action="store_true")
    parser.add_argument("--json", type=Path, help="also write all figures to this file")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: ./run bench installs it (Debian package wrk)",
              file=sys.stderr)
        return 2
    info = machine()
    workdir = Path(tempfile.mkdtemp(prefix="powerbank-bench-"))
    try:
        db_path = workdir / "db" / "compliance.sqlite"
        build_database(ROOT / "data", db_path)
        inputs = Inputs(Dataset.load(db_path))
        qr_fig = costs = runs = auto = load = None
        if not args.load_only:
            print("QR and in-process microbenchmarks ...", flush=True)
            qr_fig = qr_microbench()
            costs = in_process_costs(db_path, inputs)
            costs["render"] = render_cost(db_path, inputs)
            print("Throughput under gunicorn ...", flush=True)
            with Gunicorn(db_path, SECRET) as server:
                runs = throughput(server, inputs, workdir, args)
            if not args.skip_autocomplete:
                print(f"Autocomplete with {CATALOGUE_SIZE} models ...", flush=True)
                auto = autocomplete(workdir, args)
        if args.load or args.load_only:
            print(f"Load test ({args.load_seconds} s, {args.load_connections} connections)"
                  " ...", flush=True)
            with Gunicorn(db_path, SECRET) as server:
                load = load_test(server, inputs, workdir, args.load_seconds,
                                 args.load_connections)
        print()
        if runs:
            lines = report(info, qr_fig, costs, runs, auto, load, args)
        else:
            lines = [f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory_gb']} GB RAM",
                     *load_lines(load, args)]
        print("\n".join(lines))
        if args.json:
            args.json.write_text(json.dumps(
                {"machine": info, "qr": qr_fig, "in_process_ms": costs, "runs": runs,
                 "autocomplete": auto, "load": load}, indent=2, default=str))
        return 0 if load is None or load_ok(load) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
