"""The services scripts/test starts really work: one small real test each."""
from __future__ import annotations

import uuid

import pytest

import services


@pytest.mark.cluster
def test_the_redis_cluster_has_three_masters_and_keys_round_trip_on_each():
    from redis.cluster import RedisCluster

    cluster = RedisCluster.from_url(services.cluster_url(), socket_timeout=5, socket_connect_timeout=5)
    try:
        info = cluster.cluster_info(target_nodes=RedisCluster.RANDOM)
        assert info["cluster_state"] == "ok"
        assert int(info["cluster_slots_assigned"]) == 16384
        masters = {node.name for node in cluster.get_primaries()}
        assert len(masters) == 3

        # One key on each master: three slots, three nodes, each written and read back.
        run = uuid.uuid4().hex
        keys: dict[str, str] = {}
        for n in range(1000):
            key = f"hotline-test:{run}:{n}"
            keys.setdefault(cluster.get_node_from_key(key).name, key)
            if len(keys) == 3:
                break
        assert set(keys) == masters
        assert len({cluster.keyslot(key) for key in keys.values()}) == 3
        try:
            for node, key in keys.items():
                assert cluster.set(key, node.encode(), ex=60)
            for node, key in keys.items():
                assert cluster.get(key) == node.encode()
        finally:
            for key in keys.values():
                cluster.delete(key)
    finally:
        cluster.close()


@pytest.mark.postgres
def test_postgresql_answers_through_sqlalchemy_and_psycopg():
    import sqlalchemy

    engine = sqlalchemy.create_engine(services.database_url(), connect_args={"connect_timeout": 10})
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("select 1")).scalar_one() == 1
            database = connection.execute(sqlalchemy.text("select current_database()")).scalar_one()
            assert database == engine.url.database
    finally:
        engine.dispose()


@pytest.mark.browser
def test_headless_chromium_loads_a_page_through_selenium(tmp_path, monkeypatch):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    def no_downloads(*args, **kwargs):
        raise AssertionError("Selenium Manager was asked for a browser or driver: it must not download one")

    monkeypatch.setattr(SeleniumManager, "binary_paths", no_downloads)
    monkeypatch.setenv("SE_OFFLINE", "true")

    options = webdriver.ChromeOptions()
    options.binary_location = services.chromium()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    service = Service(executable_path=services.chromedriver(), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.get("data:text/html;charset=utf-8,<title>Know your rights</title><p lang=es>Conozca sus derechos</p>")
        assert driver.title == "Know your rights"
        assert driver.find_element("css selector", "p").text == "Conozca sus derechos"
    finally:
        driver.quit()


def test_valkey_answers():
    import redis

    client = redis.Redis.from_url(services.valkey_url(), socket_timeout=5, socket_connect_timeout=5)
    try:
        assert client.info("server").get("server_name") == "valkey"
        key = f"hotline-test:{uuid.uuid4().hex}"
        assert client.set(key, b"\x00bytes\xff", ex=60)
        assert client.get(key) == b"\x00bytes\xff"
        client.delete(key)
    finally:
        client.close()
