from accommnotify.ids import new_id


def test_ids_sort_in_creation_order_even_within_a_millisecond():
    ids = [new_id("st") for _ in range(5000)]  # thousands per millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("st_") and len(i) == 29 for i in ids)
