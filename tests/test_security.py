from core.security import hash_token, new_token


def test_tokens_are_random_and_hashed_stably() -> None:
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 40
    assert hash_token(a) == hash_token(a) != hash_token(b)
    assert len(hash_token(a)) == 64 and a not in hash_token(a)
