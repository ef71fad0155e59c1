"""Answer text: every template renders, with the right particle after nouns that end with and without 받침."""

from __future__ import annotations

import re

import pytest

from eval.experiments.particles import NOUNS, PARTICLES, expected
from rag.generation import templates as T
from rag.generation.phrases import shopper_phrases
from rag.josa import PAIRS, attach, final_sound

# nouns for every particle field, with how each ends when read (hand-labelled: V none, R ㄹ, C another 받침)
ENDINGS = {"수박": "C", "사과": "V", "신발": "R", "USB": "V", "500g": "C", "'500g 이하'": "V", "가습기(초음파식)": "V"}


def _value(spec: str, noun: str) -> object:
    """A value for a field of this format spec: numbers for number formats, the noun for the rest."""
    number_spec = spec.rpartition("|")[0] if "|" in spec else spec
    if number_spec.endswith("f"):
        return 4.25
    if number_spec in (",", "d", "g"):
        return 5 if number_spec == "g" else 12
    return noun


@pytest.mark.parametrize("name", sorted(T.all_templates()))
def test_every_template_renders_with_the_particle_its_nouns_take(name):
    text = T.all_templates()[name]
    fields = T.fields_of(text)
    for noun, sound in ENDINGS.items():
        rendered = T.say(name, **{f: _value(spec, noun) for f, spec in fields})
        assert "{" not in rendered and "}" not in rendered, rendered
        for _, spec in fields:
            if spec in PAIRS:
                assert expected(noun, sound, spec) in rendered, (name, noun, rendered)


def test_numbers_take_their_particles_by_how_they_are_read():
    assert T.fill("평점 {rating:.1f}/{scale:g|이에요/예요}", rating=4.23, scale=5) == "평점 4.2/5예요"
    assert T.fill("{scale:g|이에요/예요}", scale=10) == "10이에요"  # 십
    assert T.fill("{n:,|으로/로}", n=1000) == "1,000으로"  # 천
    assert T.fill("{n:,|으로/로}", n=7) == "7로"  # 칠: ㄹ takes 로


def test_no_template_writes_a_number_or_a_fixed_particle_after_a_field():
    """Numbers come only from fields (the checks read fields); a particle after a field must be a particle spec."""
    fixed_particle = re.compile(r"\}['’”)]?(?:을|를|이|가|은|는|과|와|으로|로|이나|예요|이에요)(?=[\s.,:)]|$)")
    for name, text in T.all_templates().items():
        literal = re.sub(r"\{[^}]*\}", "", text)
        assert not re.search(r"\d", literal), f"{name} writes a number of its own: {text!r}"
        outside_parens = re.sub(r"\([^()]*\)", "()", text)  # '조건({label})을': agrees with 조건, fixed
        assert not fixed_particle.search(outside_parens), f"{name}: use a particle spec such as {{x:을/를}}: {text!r}"


def test_the_particle_helper_is_right_on_the_hand_labelled_nouns():
    assert len(NOUNS) >= 60
    wrong = [(n, p) for n, sound in NOUNS for p in PARTICLES if attach(n, p) != expected(n, sound, p)]
    assert wrong == []


@pytest.mark.parametrize(
    "word,sound",
    [
        ("USB", "vowel"),
        ("45dB", "rieul"),
        ("2L", "vowel"),
        ("XL", "rieul"),
        ("가습기(초음파식)", "vowel"),
        ("10", "consonant"),
    ],
)
def test_final_sound_of_acronyms_units_and_parentheses(word, sound):
    assert final_sound(word) == sound


def test_unknown_particle_and_template_names_are_clear_errors():
    with pytest.raises(ValueError, match="unknown particle '에게'"):
        attach("사과", "에게")
    with pytest.raises(KeyError, match="no answer template named 'NOPE'"):
        T.say("NOPE")
    assert set(PARTICLES) <= set(PAIRS)


def test_a_fact_renders_its_template_with_its_values():
    fact = T.Fact("REASON_PRICE_FITS", {"price": 54900, "label": "5만원 이하"})
    assert fact.text() == "54,900원으로 '5만원 이하' 조건에 맞아요."


@pytest.mark.parametrize(
    "question,category,phrase",
    [
        ("오래 신어도 발 안 아픈 신발", "패션>신발>운동화", "오래 신어도 발 안 아픈"),
        ("피부 뒤집어지지 않는 크림", "뷰티>스킨케어>크림", "피부 뒤집어지지 않는"),
        ("남편 생일에 줄 만한 거", "", "남편 생일에 줄 만한"),
    ],
)
def test_reasons_quote_the_shoppers_words_with_their_negation_not_stems(analyzer, question, category, phrase):
    phrases = shopper_phrases(question, analyzer.terms(question), analyzer.tokens, category)
    assert phrases == [phrase]
    text = T.say("REASON_MATCHED", phrase=phrases[0])
    assert f"'{phrase}'" in text and phrase in question


def test_terms_that_are_not_the_questions_words_give_no_phrase(analyzer):
    assert shopper_phrases("cheap air fryer", ["에어프라이어"], analyzer.tokens) == []
