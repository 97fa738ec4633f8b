"""Occupation title canonicalisation and slugs."""

from __future__ import annotations

import pytest

from sources.parse import parse_document
from sources.titles import canonical_title, singular, slugify


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Machine Learning Engineers", "Machine Learning Engineer"),
        ("Paralegals", "Paralegal"),
        ("Sales", "Sales"),
        ("Data Analysis", "Data Analysis"),
        ("Actress", "Actress"),
        ("Actresses", "Actress"),
        ("Business Analysts", "Business Analyst"),
        ("Secretaries", "Secretary"),
        ("Coaches", "Coach"),
        ("Nurses", "Nurse"),
        ("Firemen", "Fireman"),
        ("Midwives", "Midwife"),
        ("Diesel Mechanics", "Diesel Mechanic"),
        ("Paramedics", "Paramedic"),
        ("Directors of Operations", "Director of Operations"),
        ("Head of Sales", "Head of Sales"),
        ("an Accountant", "Accountant"),
        ("the Pâtissier", "Pâtissier"),
        ("Registered Nurse (RN)", "Registered Nurse"),
        ("ML Engineer", "Machine Learning Engineer"),
        ("MLE", "Machine Learning Engineer"),
        ("MLEs", "Machine Learning Engineer"),
        ("Senior ML Engineers", "Senior Machine Learning Engineer"),
        ("ML&nbsp;Engineers", "Machine Learning Engineer"),
        ("Machine\u00a0Learning\u2009Engineer", "Machine Learning Engineer"),
        ("Front\u2011End Developer", "Front-End Developer"),
        ("Front\u2014end developer", "Front-End Developer"),
        ("MACHINE LEARNING ENGINEER", "Machine Learning Engineer"),
        ("LINE COOKS", "Line Cook"),
        ("machine learning engineer", "Machine Learning Engineer"),
        ("ios developers", "iOS Developer"),
        ("hvac technician", "HVAC Technician"),
        ("3d artist", "3D Artist"),
        ("Sr. Software Engineer", "Senior Software Engineer"),
        ("  Nurse Practitioner ?", "Nurse Practitioner"),
        ("Staff / Lead Machine Learning Engineer", "Staff / Lead Machine Learning Engineer"),
        ("CEO", "CEO"),
    ],
)
def test_canonical_title(raw, canonical):
    assert canonical_title(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "Robert'); DROP TABLE assessments;-- Engineer",
        '=HYPERLINK("http://example.invalid","x") Analyst',
        "<script>alert(1)</script> Designer",
    ],
)
def test_injection_looking_titles_pass_through_recognisably(raw):
    assert canonical_title(raw) == raw
    assert canonical_title(f"  {raw}\u00a0") == raw
    assert slugify(canonical_title(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "Robert'); DROP TABLE assessments;-- Engineer",
        '=HYPERLINK("http://example.invalid","x") Analyst',
    ],
)
def test_injection_looking_titles_are_extracted_not_rejected(seed_bytes, raw):
    page = seed_bytes("jobisque").decode().replace("Machine Learning Engineer", raw)
    doc = parse_document(page.encode(), name="x.txt")
    ex = doc.extraction
    assert ex is not None, doc.rejection
    assert ex.occupation_raw == raw and ex.occupation == raw


def test_empty_titles():
    assert canonical_title("") == ""
    assert canonical_title(" \u00a0 ") == ""
    assert canonical_title("(RN)") == ""


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Machine Learning Engineer", "machine-learning-engineer"),
        ("Pâtissier", "patissier"),
        ("C++ Developer", "cpp-developer"),
        ("C# Developer", "csharp-developer"),
        ("Staff / Lead Machine Learning Engineer", "staff-lead-machine-learning-engineer"),
        ("Research & Development Manager", "research-and-development-manager"),
        ("Robert'); DROP TABLE assessments;-- Engineer", "robert-drop-table-assessments-engineer"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_singular_keeps_acronym_and_invariant_words():
    assert singular("CPAs") == "CPA"
    assert singular("Logistics") == "Logistics"
    assert singular("Bus") == "Bus"
