"""`manage.py seed_demo`: load the synthetic demo clinic (idempotent)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kapclinic.consent.demo import build_demo_consents
from kapclinic.controlled.demo import build_demo_stock
from kapclinic.dosing.demo import build_demo_dosing
from kapclinic.dosing.rems_demo import build_demo_rems
from kapclinic.intake.demo import build_demo_intakes
from kapclinic.journal.demo import build_demo_journals
from kapclinic.outcomes.analytics_demo import build_demo_histories
from kapclinic.outcomes.schedule_demo import build_demo_schedules
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.demo import build_demo_clinic, sign_in_lines
from kapclinic.preparation.demo import build_demo_preparations
from kapclinic.scheduling.demo import build_demo_schedule
from kapclinic.screening.demo import build_demo_screenings
from kapclinic.screening.flag_alert_demo import build_demo_flag_alerts
from kapclinic.treatment.demo import build_demo_plans


class Command(BaseCommand):
    help = (
        "Create a synthetic demo clinic: two sites, staff in every role, education "
        "articles, N fictional patients and four weeks of appointments. Running it "
        "again only tops up patients."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=40, help="How many demo patients (default 40)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed for the synthetic data (default 1)."
        )
        parser.add_argument(
            "--quiet", action="store_true", help="One summary line; no sign-in list."
        )
        parser.add_argument(
            "--sign-ins", action="store_true", help="Only print the sign-in list; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sign_ins"]:
            self.stdout.write("\n".join(sign_in_lines()))
            return
        patients: int = options["patients"]
        if patients < 0:
            raise CommandError("--patients must be zero or more.")
        started = time.perf_counter()
        verbose = options["verbosity"] > 1 or patients >= 2000
        clinic = build_demo_clinic(
            patients=patients,
            seed=options["seed"],
            progress=self.stdout.write if verbose else None,
        )
        screenings = build_demo_screenings(seed=options["seed"])
        intakes = build_demo_intakes(seed=options["seed"])
        plans = build_demo_plans(seed=options["seed"])
        desks = {"harbour": clinic.staff["frontdesk"], "pine": clinic.staff["frontdesk.pine"]}
        schedule = build_demo_schedule(clinic.sites, desks, seed=options["seed"])
        dosing = build_demo_dosing(clinic.sites["harbour"], clinic.staff)
        # After the schedule: the REMS demo uses a past esketamine visit, and the stock
        # log counts the doses that session gave.
        rems_forms = build_demo_rems(clinic.sites["harbour"])
        stock_entries = build_demo_stock(clinic.sites["harbour"])
        # After every demo plan (the REMS and dosing demos add some): consent is signed
        # for the route of the plan in force.
        consents = build_demo_consents()
        preparations = build_demo_preparations()
        questionnaires = build_demo_schedules(list(clinic.sites.values()))
        journals = build_demo_journals(list(clinic.sites.values()), seed=options["seed"])
        histories = build_demo_histories(seed=options["seed"])
        flag_alerts = build_demo_flag_alerts()
        # Last: the demo builders write scores, visits and plans directly, not through
        # the actions that keep the outcome summary current.
        refresh_summary(None)
        elapsed = time.perf_counter() - started
        if clinic.existed:
            self.stdout.write(f"Demo clinic {clinic.org.name!r} was already there.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Created demo clinic {clinic.org.name!r}."))
        self.stdout.write(
            f"Patients: {clinic.patients_created} created, {clinic.patients_total} in total; "
            f"articles: {clinic.articles_created} created; "
            f"screenings: {screenings} created; intakes: {intakes} created; "
            f"treatment plans: {plans} created; "
            f"consents: {consents} created; "
            f"preparations: {preparations} created; "
            f"appointments: {schedule.appointments_created} created; "
            f"REMS forms: {rems_forms} created; controlled-log entries: {stock_entries} created; "
            f"scheduled questionnaires: {questionnaires.created} created; "
            f"journal entries: {journals} created; dosing sessions: {dosing} created; "
            f"score histories: {histories.patients} patients, {histories.scores} scores "
            f"safety-flag alerts: {flag_alerts} created "
            f"({elapsed:.1f} s)."
        )
        if not options["quiet"]:
            self.stdout.write("")
            self.stdout.write("\n".join(sign_in_lines()))
