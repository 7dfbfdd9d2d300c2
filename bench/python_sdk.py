#!/usr/bin/env python3
"""Python half of the SDK benchmark: drives the official SailPoint Python SDK
(PyPI `sailpoint==1.4.2`, the last release with the `sailpoint.v3` module)
against a tenant such as `sailpoint-mock` and prints ONE JSON line on stdout.

Usage: python_sdk.py MODE [N]   (tenant from SAIL_BASE_URL, SAIL_CLIENT_ID,
                                 SAIL_CLIENT_SECRET, as the Rust side reads it)

  stream [N=100000]  stream N accounts via Paginator, 250 per page
  loop   [N=100000]  the same with a hand-written limit/offset loop over
                     list_accounts (what a user does to stream in 1.4.2)
  get    [N=1000]    one list_accounts(limit=1), then N sequential get_account
  startup            time.time() right after the first list_accounts returns
                     (the caller measures from process spawn)
  wan-list   [N=20000] N accounts with Paginator.paginate and its defaults
                     (250 per page), with the bytes received
  wan-search [N=50000] N identities with Paginator.paginate_search and its
                     defaults (250 per page, sorted by name), with the bytes

Requests go to BASE_URL/oauth/token and BASE_URL/v3/accounts[/{id}].
Exits 1 with a message on stderr if the SDK raises; never prints the secret.
Standard library + the sailpoint package only.
"""
import contextlib
import io
import json
import math
import resource
import sys
import time

USAGE = "usage: python_sdk.py {stream|loop|get|startup|wan-list|wan-search} [N]  (with SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET set)"
PAGE = 250  # largest page size /v3/accounts accepts


def fail(msg, secret):
    """Print an error without ever echoing the client secret, then exit 1."""
    if secret:
        msg = msg.replace(secret, "***")
    print(f"python_sdk.py: error: {msg[:2000]}", file=sys.stderr)
    sys.exit(1)


def make_api(base_url, client_id, client_secret):
    """Build a v3 AccountsApi. Configuration() fetches the OAuth token eagerly
    (POST {base_url}/oauth/token) and, on failure, only prints a message to
    stdout and leaves access_token None, so we divert that print and check."""
    from sailpoint.configuration import Configuration, ConfigurationParams
    import sailpoint.v3

    params = ConfigurationParams()
    params.base_url = base_url  # token_url is derived: base_url + "/oauth/token"
    params.client_id = client_id
    params.client_secret = client_secret
    noise = io.StringIO()
    with contextlib.redirect_stdout(noise):
        config = Configuration(params)
    if config.access_token is None:
        raise RuntimeError("could not obtain an access token: " + noise.getvalue().strip())
    return sailpoint.v3.AccountsApi(sailpoint.v3.ApiClient(config))


def cpu_seconds():
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stream(api, n):
    """Count n accounts from the SDK paginator. The token was already fetched in
    make_api(), so the timed section contains no token request."""
    from sailpoint.paginator import Paginator

    cpu_before = cpu_seconds()
    start = time.perf_counter()
    items = 0
    if hasattr(Paginator, "paginate_stream"):  # newer releases only
        used = "paginate_stream"
        for _ in Paginator.paginate_stream(api.list_accounts, n, limit=PAGE):
            items += 1
    else:
        # 1.4.2 has no paginate_stream: Paginator.paginate builds the whole list
        # in memory and print()s one line per page, which we send to a sink. It
        # also rounds up to whole pages, so count only the first n items.
        used = "paginate"
        with contextlib.redirect_stdout(io.StringIO()):
            accounts = Paginator.paginate(api.list_accounts, n, limit=PAGE)
        for _ in accounts[:n]:
            items += 1
        del accounts
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"mode": "stream", "paginator": used, "items": items,
            "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds() - cpu_before, 3),
            "items_per_s": round(items / seconds, 1) if seconds > 0 else None,
            "peak_rss_mb": round(peak_kib / 1024, 1)}


def offset_loop(api, n):
    """Count n accounts, page by page, keeping one page in memory at a time."""
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    items, offset = 0, 0
    while items < n:
        page = api.list_accounts(limit=PAGE, offset=offset)
        for _ in page[: n - items]:
            items += 1
        if len(page) < PAGE:
            break
        offset += PAGE
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"mode": "loop", "items": items, "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu_seconds() - cpu_before, 3),
            "items_per_s": round(items / seconds, 1) if seconds > 0 else None,
            "peak_rss_mb": round(peak_kib / 1024, 1)}


def percentile(sorted_ms, p):
    """Nearest-rank percentile of an ascending list."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def get(api, n):
    first = api.list_accounts(limit=1)
    if not first:
        raise RuntimeError("list_accounts(limit=1) returned no account")
    account_id = first[0].id
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        api.get_account(account_id)
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return {"mode": "get", "requests": n,
            "p50_ms": round(percentile(ms, 50), 3),
            "p99_ms": round(percentile(ms, 99), 3),
            "mean_ms": round(sum(ms) / n, 3)}


def wan_list(api, n):
    """n accounts as a 1.4.2 user gets them: Paginator.paginate, its default page."""
    from sailpoint.paginator import Paginator

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        accounts = Paginator.paginate(api.list_accounts, n)
    items = len(accounts[:n])
    seconds = time.perf_counter() - start
    return {"mode": "wan-list", "items": items, "seconds": round(seconds, 3),
            "items_per_s": round(items / seconds, 1)}


def wan_search(api, n):
    """n identities through Paginator.paginate_search with its default page (increment)."""
    from sailpoint.paginator import Paginator
    import sailpoint.v3
    from sailpoint.v3.models.search import Search

    search_api = sailpoint.v3.SearchApi(api.api_client)
    search = Search.from_dict({"indices": ["identities"], "query": {"query": "*"}, "sort": ["name"]})
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        results = Paginator.paginate_search(search_api, search, None, n)
    items = len(results[:n])
    seconds = time.perf_counter() - start
    return {"mode": "wan-search", "items": items, "seconds": round(seconds, 3),
            "items_per_s": round(items / seconds, 1)}


def startup(api):
    api.list_accounts(limit=1)
    return {"mode": "startup", "first_response_unix": time.time()}


def main(argv):
    import os

    modes = ("stream", "loop", "get", "startup", "wan-list", "wan-search")
    if len(argv) not in (2, 3) or argv[1] not in modes:
        print(USAGE, file=sys.stderr)
        return 2
    mode = argv[1]
    try:
        base_url = os.environ["SAIL_BASE_URL"].rstrip("/")
        client_id, secret = os.environ["SAIL_CLIENT_ID"], os.environ["SAIL_CLIENT_SECRET"]
    except KeyError as missing:
        print(f"python_sdk.py: {missing} is not set\n{USAGE}", file=sys.stderr)
        return 2
    try:
        defaults = {"stream": 100000, "loop": 100000, "wan-list": 20000, "wan-search": 50000}
        n = int(argv[2]) if len(argv) == 3 else defaults.get(mode, 1000)
    except ValueError:
        print(USAGE, file=sys.stderr)
        return 2
    if n <= 0 and mode != "startup":
        print("python_sdk.py: N must be positive", file=sys.stderr)
        return 2
    try:
        # SDK imports happen here, inside the measured run (startup mode counts them).
        api = make_api(base_url, client_id, secret)
        if mode == "stream":
            result = stream(api, n)
        elif mode == "loop":
            result = offset_loop(api, n)
        elif mode == "get":
            result = get(api, n)
        elif mode == "wan-list":
            result = wan_list(api, n)
        elif mode == "wan-search":
            result = wan_search(api, n)
        else:
            result = startup(api)
    except Exception as exc:  # SDK errors (ApiException, pydantic ValidationError, ...)
        fail(f"SDK call failed: {type(exc).__name__}: {exc}", secret)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
