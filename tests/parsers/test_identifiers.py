"""Order numbers come from the subject, links and text; tracking numbers from links and labels."""

from aliwatch.parsers.identifiers import order_ids, parcel_id


def test_ids_from_all_link_forms_in_order_without_repeats():
    html = (
        "https://a.example/detail?orderId=8200000000000001"
        "&o_ids=8200000000000002%2C8200000000000003,8200000000000001"
        " https://a.example/t?tradeOrderId=8200000000000004&trackingNumber=LP00812345678901"
    )
    got = order_ids(["8200000000000009"], html.lower(), "")
    assert got == (
        "8200000000000009",
        "8200000000000001",
        "8200000000000002",
        "8200000000000003",
        "8200000000000004",
    )


def test_bare_sixteen_digits_in_text_count_but_longer_numbers_do_not():
    text = "Order 8200000000000005 shipped. Tracking 123456789012345678 DHL 12345678901234567890"
    assert order_ids([], "", text) == ("8200000000000005",)


def test_digits_inside_a_parcel_id_are_not_an_order():
    assert order_ids([], "", "Parcel AP0082327181635600 is here") == ()


def test_parcel_id_from_tracking_link():
    html = "x?tradeOrderId=1&trackingNumber=RB123456785CN"
    assert parcel_id(html, html.lower(), "", "") == "RB123456785CN"


def test_parcel_id_from_labelled_text():
    text = "Sendungsnummer: JY26CAA0D000551012"
    assert parcel_id("", "", text, text.lower()) == "JY26CAA0D000551012"


def test_reverse_order_id_of_a_dispute_is_not_an_order():
    html = "detail.html?reverseOrderId=5010000000000303&orderId=8200000000000303"
    assert order_ids([], html.lower(), "") == ("8200000000000303",)
