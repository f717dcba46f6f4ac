"""The PostgreSQL dispatcher path: the database writes each notification's JSON with the numbers still
encrypted, and `decrypt_encoded` puts the plain numbers back, which receivers must get."""
import orjson

from accommnotify.crypto import Keyring
from accommnotify.dispatch.wire import decrypt_encoded

KEY = "k" * 43


def test_each_ciphertext_becomes_its_plain_number_and_nothing_else_changes():
    keys = Keyring(KEY)
    id_number, passport = keys.encrypt("001090012345"), keys.encrypt("L898902C3")
    citizen = orjson.dumps({"id": "ntf_1", "person": {"full_name": "Nguyễn Văn An", "id_number": id_number,
                                                      "document": None}}).decode()
    foreigner = orjson.dumps({"id": "ntf_2", "person": {"id_number": None,
                                                        "document": {"type": "passport", "number": passport}}}).decode()
    rows = [("ntf_1", citizen, id_number, None, None), ("ntf_2", foreigner, None, None, passport)]

    texts = decrypt_encoded(rows, keys)

    assert [orjson.loads(t) for t in texts] == [
        {"id": "ntf_1", "person": {"full_name": "Nguyễn Văn An", "id_number": "001090012345", "document": None}},
        {"id": "ntf_2", "person": {"id_number": None, "document": {"type": "passport", "number": "L898902C3"}}}]
    assert all("e1." not in t for t in texts)


def test_a_number_under_an_older_key_is_read_too():
    old = Keyring("o" * 43)
    token = old.encrypt("079188012345")
    text = orjson.dumps({"person": {"id_number": token}}).decode()
    [out] = decrypt_encoded([("ntf_3", text, token, None, None)], Keyring(KEY, ["o" * 43]))
    assert orjson.loads(out) == {"person": {"id_number": "079188012345"}}
