"""Operator commands of the intake side."""
from accommnotify.extensions import db
from accommnotify.models import ApiKey, Facility


def test_facility_create_checks_the_2025_map(runner, app):
    ok = runner.invoke(args=["facility", "create", "--code", "KTX-01", "--name", "Ký túc xá A",
                             "--kind", "student_dormitory", "--ward", "16681"])
    assert ok.exit_code == 0, ok.output
    assert "province 40" in ok.output
    unknown = runner.invoke(args=["facility", "create", "--code", "X-1", "--name", "X", "--kind", "other",
                                  "--ward", "99999"])
    assert unknown.exit_code != 0 and "ward.unknown" in unknown.output
    outside = runner.invoke(args=["facility", "create", "--code", "X-2", "--name", "X", "--kind", "other",
                                  "--ward", "16681", "--province", "01"])
    assert outside.exit_code != 0 and "ward.province_mismatch" in outside.output
    bad_code = runner.invoke(args=["facility", "create", "--code", "lower", "--name", "X", "--kind", "other",
                                   "--ward", "16681"])
    assert bad_code.exit_code != 0
    with app.app_context():
        assert [f.code for f in db.session.query(Facility)] == ["KTX-01"]


def test_apikey_create_prints_the_key_last_and_stores_only_a_hash(runner, app, client):
    runner.invoke(args=["facility", "create", "--code", "BV-1", "--name", "Bệnh viện", "--kind",
                        "medical_facility", "--ward", "16681"])
    result = runner.invoke(args=["apikey", "create", "BV-1"])
    assert result.exit_code == 0
    key = result.output.strip().splitlines()[-1]
    assert len(key) > 40
    with app.app_context():
        stored = db.session.query(ApiKey).one()
        assert stored.key_hash != key and key not in (stored.prefix, stored.label or "")
    assert client.get("/api/v1/stays", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert runner.invoke(args=["apikey", "create", "NOPE"]).exit_code != 0


def test_demo_is_repeatable_and_prints_a_working_key(runner, client):
    for _ in range(2):
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/stays", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_facility_create_with_a_pre_2025_ward_says_it_is_an_old_code(runner, app):
    """Issue 11 item 17: one error saying the code is an old one and which 2025 ward replaced it (the
    shipped conversion table), none about a province nobody gave."""
    args = ["facility", "create", "--code", "KS-CU", "--name", "Khách sạn", "--kind", "other"]
    old = runner.invoke(args=args + ["--ward", "26734"])      # Phường Tân Định (Quận 1) before 2025
    assert old.exit_code != 0 and "ward.replaced" in old.output
    assert "old (pre-2025) ward/commune code; it is now part of: Phường Tân Định (26737, Thành phố Hồ Chí Minh)" in old.output
    assert "province" not in old.output.replace("provinces", "").replace("Thành phố", "")
    split = runner.invoke(args=args + ["--ward", "00007"])    # Phường Cống Vị, split between two wards
    assert "Phường Ngọc Hà (00008, Thành phố Hà Nội), Phường Giảng Võ (00025, Thành phố Hà Nội)" in split.output
    given = runner.invoke(args=args + ["--ward", "00001", "--province", "01"])
    assert given.output.count("ward_code:") == 1 and "Phường Hồng Hà (00097" in given.output
    assert "province_code" not in given.output
    # an old-looking code the table does not know: said to be old, with where to look the new one up
    unknown = runner.invoke(args=args + ["--ward", "00002"])
    assert "ward.pre_2025" in unknown.output and "vietnam-provinces" in unknown.output
    with app.app_context():
        assert db.session.query(Facility).count() == 0
