"""Item search API latency over a 15 000-item catalog.

    .venv/bin/python benchmarks/item_search.py [--items 15000] [--requests 2000] [--database-url postgres://…]

Times ``GET /api/v1/items/?q=…`` through the full Django stack (in-process test client: URL
routing, middleware, DRF, search, pagination, JSON) twice: "warm", where repeated queries reuse
the index's per-revision match cache as portal traffic does, and "cold", with that cache emptied
before every request so each one scans all 15 000 search texts. The baseline, in the same run, is
the plain-database way to answer the same request (a LIKE COUNT plus the page SELECT).
Prints a table, then one JSON line with the figures.
"""

import argparse
import json
import random
import time

from _setup import django_on, percentile

QUERIES = [
    "食品",
    "spjy",
    "许可",
    "dlys",
    "yyzz",
    "登记",
    "备案",
    "shipin",
    "医疗器械",
    "公积金",
    "zxjs",
    "特种设备",
    "rlzy",
    "经营许可（县级）",
    "",
    "ba",
    "变更",
    "minban",
    "养老",
    "900000001234",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=15000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = django_on(args.database_url)

    from django.db import connection
    from django.test import Client

    from tongban.catalog.models import Item
    from tongban.catalog.search import item_index, normalize_query
    from tongban.demo.generator import generate_city
    from tongban.demo.loader import load_demo_city

    load_demo_city()
    generate_city(items=args.items, service_points=0)
    total = Item.objects.in_force().count()

    client = Client()
    rng = random.Random(7)
    plan = [rng.choice(QUERIES) for _ in range(args.requests)]
    for query in QUERIES:  # warm-up: caches, connection, first-use imports
        client.get("/api/v1/items/", {"q": query})

    api_ms, cold_ms, sql_ms, hits = [], [], [], []
    page_sql = str(Item.objects.in_force().filter(search_text__contains="X").order_by("code")[:20].query)
    for query in plan:
        started = time.perf_counter()
        response = client.get("/api/v1/items/", {"q": query})
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
        hits.append(response.json()["count"])

        item_index._matches.clear()  # cold: no remembered matches, a full scan of the texts
        started = time.perf_counter()
        assert client.get("/api/v1/items/", {"q": query}).json()["count"] == hits[-1]
        cold_ms.append((time.perf_counter() - started) * 1000)

        queryset = Item.objects.in_force().order_by("code")
        if normalize_query(query):
            queryset = queryset.filter(search_text__contains=normalize_query(query))
        started = time.perf_counter()
        queryset.count()
        list(queryset.values_list("id", "code", "name")[:20])
        sql_ms.append((time.perf_counter() - started) * 1000)

    from tongban.catalog.services import bump_catalog_revision

    rebuild_ms = []
    for _ in range(5):  # what the first search after a publish costs each process
        bump_catalog_revision()
        started = time.perf_counter()
        client.get("/api/v1/items/", {"q": "许可"})
        rebuild_ms.append((time.perf_counter() - started) * 1000)

    figures = {
        "benchmark": "item_search",
        "database": connection.vendor,
        "items_in_force": total,
        "requests": len(plan),
        "api_p50_ms": round(percentile(api_ms, 0.50), 2),
        "api_p95_ms": round(percentile(api_ms, 0.95), 2),
        "api_p99_ms": round(percentile(api_ms, 0.99), 2),
        "api_cold_p50_ms": round(percentile(cold_ms, 0.50), 2),
        "api_cold_p95_ms": round(percentile(cold_ms, 0.95), 2),
        "api_cold_p99_ms": round(percentile(cold_ms, 0.99), 2),
        "index_rebuild_request_ms": round(percentile(rebuild_ms, 0.50), 1),
        "sql_p50_ms": round(percentile(sql_ms, 0.50), 2),
        "sql_p95_ms": round(percentile(sql_ms, 0.95), 2),
        "mean_hits": round(sum(hits) / len(hits), 1),
        "target_api_p95_ms": 10,
    }
    figures["api_to_sql_p95_ratio"] = round(figures["api_p95_ms"] / max(figures["sql_p95_ms"], 1e-6), 2)
    figures["cold_to_sql_p95_ratio"] = round(figures["api_cold_p95_ms"] / max(figures["sql_p95_ms"], 1e-6), 2)
    figures["meets_target"] = max(figures["api_p95_ms"], figures["api_cold_p95_ms"]) <= figures["target_api_p95_ms"]

    print(f"item search over {total} items in force on {connection.vendor} ({url.split('@')[-1]})")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    print(f"{'API, warm':24}{figures['api_p50_ms']:>10}{figures['api_p95_ms']:>10}{figures['api_p99_ms']:>10}")
    cold = [figures[f"api_cold_{p}_ms"] for p in ("p50", "p95", "p99")]
    print(f"{'API, cold (full scan)':24}{cold[0]:>10}{cold[1]:>10}{cold[2]:>10}")
    print(f"{'first after a publish':24}{figures['index_rebuild_request_ms']:>10}   (index rebuild, once per process)")
    print(f"{'bare SQL (baseline)':24}{figures['sql_p50_ms']:>10}{figures['sql_p95_ms']:>10}{'':>10}")
    print(f"page SQL: {page_sql[:120]}…")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
