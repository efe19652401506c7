from hotline.channels.sms.segments import cost


def test_plain_english_is_gsm7():
    assert cost("a" * 160).segments == 1
    assert cost("a" * 161).segments == 2
    assert cost("a" * 306).segments == 2 and cost("a" * 307).segments == 3


def test_extension_characters_cost_two():
    c = cost("[" * 80)
    assert c.encoding == "GSM-7" and c.units == 160 and c.segments == 1
    assert cost("€" * 81).segments == 2


def test_one_curly_quote_switches_to_ucs2_and_is_named():
    c = cost("Don\u2019t open the door. " * 4)
    assert c.encoding == "UCS-2" and c.forced_ucs2_by == ("\u2019",)
    assert c.segments == 2


def test_ucs2_boundaries_and_emoji():
    assert cost("é" * 10 + "á" * 60).segments == 1  # é is GSM-7, á is not: the whole message is UCS-2
    assert cost("á" * 71).segments == 2
    assert cost("á" * 134).segments == 2 and cost("á" * 135).segments == 3
    assert cost("😀" * 35).units == 70 and cost("😀" * 36).segments == 2
