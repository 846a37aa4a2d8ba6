"""Synthetic building blocks for the demo clinic: names, history, medicines, allergies.

Every person built from these lists is fictional. Phone numbers use the 555-01xx
range reserved for fiction and e-mail addresses use reserved domains.
"""

from __future__ import annotations

from kapclinic.patients.models import Allergy, Condition, Contact, Medication, PathwayStage

FEMALE_NAMES = (
    "Amara", "Beatriz", "Chloe", "Dana", "Elena", "Farah", "Grace", "Hana", "Imani", "Jade",
    "Keiko", "Leah", "Maya", "Nadia", "Olivia", "Priya", "Rosa", "Sofia", "Tess", "Valeria",
)  # fmt: skip
MALE_NAMES = (
    "Aaron", "Bruno", "Caleb", "Dmitri", "Elijah", "Felix", "Gabriel", "Hugo", "Isaac", "Jonah",
    "Kenji", "Luca", "Mateo", "Noah", "Omar", "Pavel", "Rafael", "Samuel", "Tomas", "Yusuf",
)  # fmt: skip
NEUTRAL_NAMES = ("Alex", "Jordan", "Morgan", "Riley", "Sam", "Taylor", "Quinn", "Avery")
FAMILY_NAMES = (
    "Abbott", "Okafor", "Bergström", "Castillo", "Delacroix", "Eriksen", "Fitzgerald",
    "Gonzalez", "Haddad", "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura",
    "O'Neill", "Petrov", "Quintero", "Rasmussen", "Schmidt", "Takahashi", "Underwood",
    "Villanueva", "Whitfield", "Xu", "Yamamoto", "Zielinski", "Achebe", "Brennan", "Chowdhury",
    "Dubois", "Esposito", "Ferreira", "Gallagher", "Hoffman", "Iyer", "Kaur", "Lambert",
    "Mensah", "Novak",
)  # fmt: skip
STREETS = (
    "Alder Lane", "Birch Road", "Cedar Court", "Dogwood Drive", "Elm Street", "Fern Way",
    "Hawthorn Avenue", "Juniper Place", "Laurel Street", "Maple Row", "Oak Terrace",
    "Poplar Close", "Rowan Street", "Spruce Lane", "Willow Walk",
)  # fmt: skip

# The first patients walk through every stage in order, so any N >= 14 covers all.
STAGE_ORDER = tuple(PathwayStage)
# Later patients: roughly how a working clinic's caseload is spread.
STAGE_WEIGHTS = {
    PathwayStage.ENQUIRY: 10,
    PathwayStage.CONSULTATION: 8,
    PathwayStage.SCREENING: 8,
    PathwayStage.ELIGIBILITY: 5,
    PathwayStage.TREATMENT_PLAN: 5,
    PathwayStage.CONSENT: 5,
    PathwayStage.PREPARATION: 8,
    PathwayStage.DOSING: 15,
    PathwayStage.REVIEW: 5,
    PathwayStage.MAINTENANCE: 12,
    PathwayStage.FOLLOW_UP: 10,
    PathwayStage.INELIGIBLE: 5,
    PathwayStage.WITHDRAWN: 4,
}
# Stages from which a patient has usually been weighed more than once.
TREATED_STAGES = frozenset(
    {
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
        PathwayStage.FOLLOW_UP,
    }
)

# (name, ICD-10 code, weight): the reason the patient came.
PRIMARY_PSYCHIATRIC = (
    ("Major depressive disorder, recurrent, moderate", "F33.1", 25),
    ("Treatment-resistant depression", "F33.2", 20),
    ("Post-traumatic stress disorder", "F43.10", 15),
    ("Generalised anxiety disorder", "F41.1", 12),
    ("Obsessive-compulsive disorder", "F42.2", 6),
    ("Social anxiety disorder", "F40.10", 5),
    ("Panic disorder", "F41.0", 4),
    ("Complex post-traumatic stress disorder", "F43.8", 4),
    ("Persistent depressive disorder", "F34.1", 5),
    ("Adjustment disorder with existential distress", "F43.23", 4),
)
SECONDARY_PSYCHIATRIC = (
    ("Generalised anxiety disorder", "F41.1"),
    ("Insomnia", "G47.00"),
    ("Attention-deficit hyperactivity disorder", "F90.0"),
    ("Panic disorder", "F41.0"),
    ("Bipolar II disorder, currently depressed", "F31.81"),
)
MEDICAL_CONDITIONS = (
    ("Essential hypertension", "I10"),
    ("Asthma", "J45.909"),
    ("Hypothyroidism", "E03.9"),
    ("Migraine", "G43.909"),
    ("Type 2 diabetes mellitus", "E11.9"),
    ("Chronic low back pain", "M54.50"),
    ("Gastro-oesophageal reflux disease", "K21.9"),
    ("Fibromyalgia", "M79.7"),
    ("Glaucoma, open-angle", "H40.10"),
    ("Obstructive sleep apnoea", "G47.33"),
)
SUBSTANCE_CONDITIONS = (
    ("Alcohol use disorder, in sustained remission", "F10.21", Condition.Status.REMISSION),
    ("Cannabis use disorder, mild", "F12.10", Condition.Status.ACTIVE),
    ("Tobacco use", "Z72.0", Condition.Status.ACTIVE),
)
FAMILY_HISTORY = (
    ("Family history of depression", "Z81.8"),
    ("Family history of bipolar disorder", "Z81.8"),
    ("Family history of alcohol use disorder", "Z81.1"),
)

_C = Medication.DrugClass
# (name, class, dose, frequency, weight)
MEDICINES = (
    ("Sertraline", _C.ANTIDEPRESSANT, "100 mg", "once daily", 12),
    ("Escitalopram", _C.ANTIDEPRESSANT, "10 mg", "once daily", 10),
    ("Bupropion XL", _C.ANTIDEPRESSANT, "300 mg", "once daily", 8),
    ("Venlafaxine XR", _C.ANTIDEPRESSANT, "150 mg", "once daily", 6),
    ("Mirtazapine", _C.ANTIDEPRESSANT, "15 mg", "at night", 4),
    ("Phenelzine", _C.MAOI, "15 mg", "three times daily", 1),
    ("Lisdexamfetamine", _C.PSYCHOSTIMULANT, "30 mg", "each morning", 3),
    ("Methylphenidate", _C.PSYCHOSTIMULANT, "10 mg", "twice daily", 2),
    ("Lorazepam", _C.BENZODIAZEPINE, "0.5 mg", "as needed", 4),
    ("Clonazepam", _C.BENZODIAZEPINE, "0.5 mg", "at night", 3),
    ("Tramadol", _C.OPIOID, "50 mg", "as needed", 2),
    ("Zolpidem", _C.SEDATIVE_HYPNOTIC, "5 mg", "at night", 3),
    ("Lamotrigine", _C.LAMOTRIGINE, "100 mg", "once daily", 2),
    ("Quetiapine", _C.ANTIPSYCHOTIC, "50 mg", "at night", 2),
    ("Aripiprazole", _C.ANTIPSYCHOTIC, "5 mg", "once daily", 2),
    ("Lithium carbonate", _C.MOOD_STABILISER, "600 mg", "at night", 1),
    ("Lisinopril", _C.ANTIHYPERTENSIVE, "10 mg", "once daily", 4),
    ("Amlodipine", _C.ANTIHYPERTENSIVE, "5 mg", "once daily", 3),
    ("Levothyroxine", _C.OTHER, "75 micrograms", "once daily", 3),
    ("Metformin", _C.OTHER, "500 mg", "twice daily", 2),
    ("Salbutamol inhaler", _C.OTHER, "100 micrograms", "as needed", 2),
)
# (substance, reaction, severity, weight)
ALLERGENS = (
    ("Penicillin", "Rash", Allergy.Severity.MODERATE, 10),
    ("Sulfonamide antibiotics", "Hives", Allergy.Severity.MODERATE, 4),
    ("Codeine", "Nausea and vomiting", Allergy.Severity.MILD, 4),
    ("Latex", "Contact dermatitis", Allergy.Severity.MILD, 3),
    ("Peanuts", "Anaphylaxis", Allergy.Severity.SEVERE, 2),
    ("Shellfish", "Swelling of lips", Allergy.Severity.SEVERE, 2),
    ("Ibuprofen", "Wheeze", Allergy.Severity.MODERATE, 2),
    ("Adhesive tape", "Skin irritation", Allergy.Severity.MILD, 2),
)
EMERGENCY_RELATIONSHIPS = (
    Contact.Relationship.PARTNER,
    Contact.Relationship.PARTNER,
    Contact.Relationship.PARENT,
    Contact.Relationship.SIBLING,
    Contact.Relationship.FRIEND,
    Contact.Relationship.CHILD,
)
