"""The optional LLM rewrite keeps only output whose numbers and markers check out."""
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.llm import rewrite

Q = "Hur stor var sjukfrånvaron i Solnas socialförvaltning 2023?"


def test_a_faithful_rewrite_is_used(fake_engine):
    ans = fake_engine.ask(Q)
    out = rewrite(ans, FakeListChatModel(responses=["Sjukfrånvaron i Solna var 8,5 procent 2023 [1]."]))
    assert out.answer.startswith("Sjukfrånvaron i Solna var 8,5") and out.citations == ans.citations


def test_a_rewrite_with_an_invented_number_or_no_markers_is_rejected(fake_engine):
    ans = fake_engine.ask(Q)
    assert rewrite(ans, FakeListChatModel(responses=["Sjukfrånvaron var 9,1 procent [1]."])) == ans
    assert rewrite(ans, FakeListChatModel(responses=["Sjukfrånvaron var 8,5 procent."])) == ans
    assert rewrite(ans, FakeListChatModel(responses=["Sjukfrånvaron var 8,5 procent [7]."])) == ans
