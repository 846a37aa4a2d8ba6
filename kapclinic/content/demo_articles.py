"""Education articles for the demo clinic (original text; facts from CLINICAL.md).

Each is a dict of Article fields; `seed_demo` publishes any whose slug is missing.
"""

from __future__ import annotations

from typing import TypedDict


class DemoArticle(TypedDict):
    title: str
    slug: str
    summary: str
    body: str


DEMO_ARTICLES: list[DemoArticle] = [
    {
        "title": "What is ketamine-assisted psychotherapy?",
        "slug": "what-is-kap",
        "summary": "A plain-language introduction: a medicine and a therapist, "
        "working together over a planned course.",
        "body": """\
Ketamine-assisted psychotherapy, usually shortened to **KAP**, brings together two
things: sessions with a therapist, and a planned number of supervised sessions in
which you take ketamine under medical care.

## Why combine a medicine with therapy?

For a short time after a dose, ketamine changes how you experience yourself and
your surroundings; clinicians call this *dissociation*. The medicine is only part
of the treatment. The therapy before and after each session is there to help you
prepare, to talk through what you noticed, and to turn it into small, practical
changes in everyday life.

## Who offers it

A KAP clinic has a team rather than a single practitioner:

- a **prescriber** (a doctor, psychiatrist or nurse practitioner) decides whether
  ketamine is safe for you, writes the treatment plan and is on site whenever
  the medicine is given;
- a **therapist** prepares you, supports you and helps you make sense of each
  session afterwards;
- a **nurse** checks you before the medicine, watches over you during the session
  and decides with you when it is safe to go home.

## What it may help with

Clinics see adults with depression (including depression that has not lifted
after at least two properly tried antidepressants), anxiety, PTSD, OCD, some
substance use problems, chronic pain that weighs on mental health, and distress
about illness or the end of life.

## What it is not

KAP is not a quick fix and it is not suitable for everyone. Some people cannot
have ketamine safely; the [screening process](/learn/screening-and-safety/)
exists to find that out before anything starts.
""",
    },
    {
        "title": "Screening and safety: how we decide whether KAP is right for you",
        "slug": "screening-and-safety",
        "summary": "Why we ask so many questions before a first session, and what "
        "can make ketamine unsafe.",
        "body": """\
Before anyone takes a first dose, the care team needs a clear picture of your
health. Screening is a conversation plus some questionnaires and a blood-pressure
check, and a prescriber reviews all of it.

## What we ask about

- **Your mental health history**, including any past psychosis or mania, and how
  you are feeling right now, including thoughts of suicide.
- **Your physical health**: blood pressure, heart problems, past strokes or
  bleeding in the brain, liver problems, glaucoma, and bladder problems.
- **Pregnancy and breastfeeding.**
- **Every medicine you take**, including ones bought without a prescription.
  Some, such as MAO inhibitors, stimulants, benzodiazepines, opioids and sleeping
  tablets, can interact with ketamine.
- **Alcohol and drug use**, and any past problem with ketamine itself.

## Three possible answers

The result of screening is one of three things, and you will always be told the
reasons:

1. **Eligible**: nothing found that stands in the way.
2. **Needs review**: something calls for a closer look, a conversation with
   another of your doctors, or a change before starting, for example blood
   pressure that is above 140/90.
3. **Not suitable at the moment**: for example a current pregnancy, an allergy to
   ketamine, or a risk that calls for more urgent care first. We will help you
   find the right support elsewhere.

The software helps the team keep track of these rules, but a prescriber always
makes and signs the decision.

## Be open with us

Nobody is judged for what they share. The more complete the picture, the safer
your treatment.
""",
    },
    {
        "title": "What happens on a dosing day",
        "slug": "dosing-day",
        "summary": "From arrival to going home: checks, the session itself, at least "
        "two hours of observation, and why you cannot drive.",
        "body": """\
A dosing day is calm and unhurried. Plan to spend most of the day with us, and
arrange in advance how you will get home.

## Before the medicine

A nurse checks your blood pressure, pulse and oxygen level and asks how you
are. If your blood pressure is higher than it should be, the team may wait a
little or move the session to another day. You will go over your intentions for
the session with your therapist.

If you are having esketamine nasal spray, you will be asked not to eat for two
hours and not to drink for 30 minutes beforehand.

## During the session

You rest in a treatment chair with a pulse oximeter and a blood-pressure cuff,
and a prescriber is always on site. The medicine can make you feel detached from
your body or surroundings (dissociation) and drowsy (sedation); the team checks
on both. Your blood pressure is measured again about 40 minutes after the dose,
because it tends to rise for a while and peaks around then.

## Afterwards: at least two hours

You stay with us for **at least two hours** after the dose, and longer if you
still feel drowsy or disconnected. Before you leave, a nurse checks that you are
fully alert, that your vital signs are settled, and that someone is there to take
you home.

## Getting home

- **Do not drive** until the next day, after a night of restful sleep.
- Have an escort: a friend or relative who collects you, or safe transport
  arranged in advance.
- Keep the rest of the day free and gentle.
""",
    },
    {
        "title": "Integration: making sense of the experience",
        "slug": "integration",
        "summary": "The therapy sessions between doses are where much of the work happens.",
        "body": """\
A ketamine session can bring up vivid images, memories or feelings. Some are
pleasant, some are puzzling, a few are hard. **Integration** is the work of
making sense of what came up and carrying it into ordinary life.

## When it happens

Each dosing session is followed by an integration session with your therapist,
before the next dose. With sublingual lozenges, doses are no more than twice a
week, so that there is time for integration in between.

## What it involves

- Talking through what you noticed, without needing to explain all of it.
- Linking it to the intentions you set during preparation.
- Choosing one or two small, practical changes to try before the next session.
- Writing: many people keep a short journal after each session.

## If something felt difficult

Tell your therapist about anything that unsettled you; you do not have to carry
it alone, and it can be useful to explore together. If you feel unsafe at any
point, contact the clinic or emergency services straight away.
""",
    },
    {
        "title": "Measuring progress with questionnaires",
        "slug": "measuring-progress",
        "summary": "Why we ask you to fill in short questionnaires such as the PHQ-9 "
        "and GAD-7, and what the scores mean.",
        "body": """\
How you feel from one day to the next can be hard to judge, especially during a
course of treatment. Short, well-studied questionnaires give you and your care
team a steadier way to see change over weeks.

## The questionnaires you are most likely to see

| Questionnaire | What it asks about | Score range |
|---|---|---|
| PHQ-9 | low mood and related symptoms over the past two weeks | 0 to 27 |
| GAD-7 | worry and anxiety over the past two weeks | 0 to 21 |
| PCL-5 | reactions to a traumatic event over the past month | 0 to 80 |

Lower scores mean fewer or milder symptoms. On the PHQ-9, for example, a score
under 5 falls in the minimal range, and 20 or more in the severe range.

## How we use them

- **A starting point.** You fill them in before your first dosing session; that
  score is your baseline.
- **Change over time.** A fall of half or more from your baseline is usually
  called a *response*; a score back in the minimal range is called *remission*.
- **Early warning.** If scores climb again after a good response, the team will
  talk with you about what might help, such as a maintenance session.

## Questions about safety

One PHQ-9 question asks about thoughts of being better off dead or of hurting
yourself. If you answer anything other than "not at all", your care team is
told straight away so that someone can check in with you. You will also be shown
where to get help at once.

A score is one piece of the picture, never a verdict. Your own account of how
you are doing matters just as much.
""",
    },
]
