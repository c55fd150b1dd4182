"""Seller pressure to close a dispute or pay outside AliExpress is flagged; advice is not."""

import pytest

from aliwatch.parsers.recognise import _pressured


@pytest.mark.parametrize(
    "text",
    [
        "please close the dispute and i will resend the item",
        "confirm receipt first, then i refund",
        "i can pay you back via paypal",
        "bitte streitigkeit schließen, ich schicke neu",
        "por favor cerrar la disputa",
        "por favor, fechar a disputa",
        "proszę zamknij spór",
        "merci de fermer le litige",
        "пожалуйста, закройте спор",
    ],
)
def test_pressure_in_each_language(text):
    assert _pressured(text)


@pytest.mark.parametrize(
    "text",
    [
        "don't close the dispute until the issue is solved",
        "never pay via paypal or other channels",
        "the seller has shipped your order",
    ],
)
def test_advice_and_plain_news_are_not_pressure(text):
    assert not _pressured(text)
