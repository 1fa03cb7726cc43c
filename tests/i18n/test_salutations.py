"""How each language greets a customer (seed 002), through the real catalogues."""
from __future__ import annotations

import pytest

from customers.models import Customer
from customers.salutations import patronymic_gender, salutation, salutation_line


@pytest.mark.parametrize(("language", "fields", "expected"), [
    # Russian: given name + patronymic; the patronymic's ending gives the gender.
    ("ru", {"name": "Иван Петров", "patronymic": "Петрович"}, "Уважаемый Иван Петрович!"),
    ("ru", {"name": "Анна Смирнова", "patronymic": "Сергеевна"}, "Уважаемая Анна Сергеевна!"),
    ("ru", {"name": "Ольга", "patronymic": "Ильинична"}, "Уважаемая Ольга Ильинична!"),
    ("ru", {"name": "Ivan", "salutation": "Иван Ильич"}, "Уважаемый Иван Ильич!"),
    ("ru", {"name": "Алекс Ким"}, "Здравствуйте, Алекс Ким!"),
    # Polish: the customer's own Pani/Panie form.
    ("pl", {"name": "Anna Nowak", "salutation": "Pani Anno"}, "Szanowna Pani Anno,"),
    ("pl", {"name": "Jan Kowalski", "salutation": "panie Janie"}, "Szanowny Panie Janie,"),
    ("pl", {"name": "Jan Kowalski"}, "Dzień dobry,"),
    # Czech: the vocative as the customer gave it.
    ("cs", {"name": "Jan Novák", "salutation": "pane Nováku"}, "Vážený pane Nováku,"),
    ("cs", {"name": "Eva Nováková", "salutation": "Paní Nováková"}, "Vážená paní Nováková,"),
    ("cs", {"name": "Eva Nováková"}, "Dobrý den,"),
    # Romanian.
    ("ro", {"name": "Maria Popescu", "salutation": "doamna Popescu"}, "Stimată doamnă Popescu,"),
    ("ro", {"name": "Ion Popescu", "salutation": "domnul Popescu"}, "Stimate domnule Popescu,"),
    ("ro", {"name": "Ion Popescu"}, "Bună ziua,"),
    # English, and a form of address whose gender we cannot tell.
    ("en", {"name": "Jane Doe"}, "Dear Jane Doe,"),
    ("en", {"name": "Jane Doe", "salutation": "Dr Doe"}, "Dear Dr Doe,"),
    ("pl", {"name": "Anna", "salutation": "Aniu"}, "Dzień dobry, Aniu,"),
])
def test_salutation_per_language(app, language, fields, expected):
    assert salutation_line(language=language, **fields) == expected


def test_salutation_of_a_customer_file_uses_its_language_unless_told(app):
    customer = Customer(name="Пётр Соколов", language="ru", patronymic="Алексеевич", salutation="")
    assert salutation(customer) == "Уважаемый Пётр Алексеевич!"
    # An e-mail about a complaint filed in English greets in English, with the name on the complaint.
    assert salutation(customer, language="en", name="Peter Sokolov") == "Dear Peter Sokolov,"
    assert salutation(None, language="cs", name="Eva") == "Dobrý den,"


def test_patronymic_gender():
    assert [patronymic_gender(p) for p in ("Петрович", "Ильич", "Петровна", "Кузьминична", "Оглы", "")] == [
        "masculine", "masculine", "feminine", "feminine", "unknown", "unknown"]
