"""Benchmark: slot search over 20 clinicians x 8 chairs x 4 weeks with existing bookings.

Run from the project root:
    uv run python bench/slots.py                          # SQLite (a throwaway file)
    scripts/with-postgres uv run python bench/slots.py    # PostgreSQL (a throwaway cluster)

Builds one site (America/New_York) with 20 nurses working weekdays 08:00-18:00, two
prescribers covering the day, two dosing rooms of four monitored chairs, and books
about half the chair time of the four weeks searched. Then it times `find_slots`
(the loading queries plus the engine) and the whole API request, and counts the
queries for 1, 7 and 28 days, which must be equal. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLINICIANS = 20
CHAIRS = 8
WEEKS = 4
# About half of what 8 chairs hold in a 10-hour day of 190-minute sessions.
BOOKINGS_PER_DAY = 12


def configure(var_dir: Path) -> None:
    """Production-like settings on a throwaway database; before django.setup()."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")
    os.environ["KAPCLINIC_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    os.environ["DEBUG"] = "false"
    os.environ.pop("KAPCLINIC_DEMO_MODE", None)
    os.environ["KAPCLINIC_PLAIN_STATIC"] = "true"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    (var_dir / "static").mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))


def build_clinic(first: dt.date) -> dict[str, Any]:
    from kapclinic.accounts.models import Role, StaffCredential, User
    from kapclinic.clinics.models import Chair, Organisation, Room, Site, SiteSettings
    from kapclinic.patients.models import PathwayStage, Patient
    from kapclinic.scheduling.calendar import load_calendar
    from kapclinic.scheduling.models import (
        Appointment,
        AppointmentStatus,
        AppointmentType,
        Resource,
        TypeCode,
        WorkingHours,
    )
    from kapclinic.scheduling.slots import search

    org = Organisation.objects.create(name="Bench clinic")
    site = Site.objects.create(
        organisation=org,
        name="Bench site",
        address_line1="1 Bench Street",
        city="Benchville",
        postal_code="00000",
        time_zone="America/New_York",
    )
    SiteSettings.objects.create(site=site)
    chairs = []
    for r in range(2):
        room = Room.objects.create(site=site, name=f"Dosing {r + 1}", kind=Room.Kind.DOSING)
        chairs += [Chair.objects.create(room=room, name=f"Chair {n + 1}") for n in range(4)]
    assert len(chairs) == CHAIRS
    nurses = []
    for n in range(CLINICIANS):
        user = User.objects.create_user(
            f"nurse{n}@bench.test", None, full_name=f"Nurse {n:02d}", role=Role.NURSE
        )
        user.sites.add(site)
        StaffCredential.objects.create(user=user, kind="nursing", number=f"RN{n}", issuer="Board")
        nurses.append(user)
    prescribers = []
    for n, (start, end) in enumerate([(8, 14), (12, 18)]):
        user = User.objects.create_user(
            f"md{n}@bench.test", None, full_name=f"Doctor {n}", role=Role.PRESCRIBER
        )
        user.sites.add(site)
        prescribers.append((user, start, end))
    desk = User.objects.create_user(
        "desk@bench.test", None, full_name="Front Desk", role=Role.FRONT_DESK
    )
    desk.sites.add(site)
    hours = [
        WorkingHours(staff=u, site=site, weekday=d, start_time=dt.time(8), end_time=dt.time(18))
        for u in nurses
        for d in range(5)
    ] + [
        WorkingHours(staff=u, site=site, weekday=d, start_time=dt.time(a), end_time=dt.time(b))
        for u, a, b in prescribers
        for d in range(5)
    ]
    WorkingHours.objects.bulk_create(hours)
    kind = AppointmentType.objects.create(
        site=site,
        code=TypeCode.DOSING_IV,
        name="IV session",
        duration_minutes=40,
        buffer_before_minutes=15,
        buffer_after_minutes=15,
        provider_roles=["nurse"],
        credential_kinds=["nursing"],
        resource=Resource.CHAIR,
    )
    patient = Patient.objects.create(
        site=site,
        mrn="BENCH-1",
        given_name="Bench",
        family_name="Patient",
        birth_date=dt.date(1980, 1, 1),
        stage=PathwayStage.DOSING,
    )
    # Fill about half of each day's chair time, one booking at a time through the
    # engine (keeping the in-memory calendar up to date), so bookings never clash.
    last = first + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
    kind = AppointmentType.objects.select_related("site__settings").get(pk=kind.pk)
    cal = load_calendar(kind, first, last)
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    rows = []
    day = first
    while day <= last:
        for n in range(BOOKINGS_PER_DAY if day.weekday() < 5 else 0):
            free = search(cal, day, day, now=long_ago)
            if not free:
                break
            slot = free[(n * 7) % len(free)]
            begins, ends = slot.start.astimezone(dt.UTC), slot.end.astimezone(dt.UTC)
            hold = (begins - dt.timedelta(minutes=15), ends + dt.timedelta(minutes=15))
            span = (int(hold[0].timestamp()), int(hold[1].timestamp()))
            cal.busy.setdefault(slot.clinician, []).append(span)
            cal.chair_busy.setdefault(slot.chair or 0, []).append(span)
            rows.append(
                Appointment(
                    patient=patient,
                    appointment_type=kind,
                    site=site,
                    clinician_id=slot.clinician,
                    room_id=slot.room,
                    chair_id=slot.chair,
                    start=begins,
                    end=ends,
                    hold_start=hold[0],
                    hold_end=hold[1],
                    status=AppointmentStatus.BOOKED,
                )
            )
        day += dt.timedelta(days=1)
    Appointment.objects.bulk_create(rows)
    return {"kind": kind, "desk": desk, "booked": len(rows), "last": last, "nurse": nurses[-1]}


def measure(runs: int, func: Callable[[], Any]) -> tuple[list[float], list[float], Any]:
    """Wall-clock and this process's CPU milliseconds per run. On a shared machine the
    wall clock includes waiting for a core; CPU time does not (nor does time spent
    in a PostgreSQL server process)."""
    wall, cpu, result = [], [], None
    func()  # warm caches and imports
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu, result


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kapclinic-bench-") as tmp:
        configure(Path(tmp))
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from kapclinic.accounts.actions import create_api_token
        from kapclinic.scheduling.calendar import find_slots

        setup_test_environment()
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(Path(tmp) / "bench-test.sqlite3")
        # A throwaway database either way: a file under tmp for SQLite, test_<name>
        # on the PostgreSQL server (created and dropped here).
        old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
        try:
            first = dt.date(2030, 1, 7)  # a Monday; "now" is before it
            clinic = build_clinic(first)
            kind, last = clinic["kind"], clinic["last"]
            now = dt.datetime(2029, 12, 1, tzinfo=dt.UTC)
            print(
                f"kapclinic slot-search benchmark: {CLINICIANS} clinicians x {CHAIRS} chairs "
                f"x {WEEKS} weeks, {clinic['booked']} existing bookings"
            )
            print(
                f"Python {platform.python_version()}, Django {django.get_version()}, "
                f"{connection.vendor} {'.'.join(map(str, connection.get_database_version()))}, "
                f"{args.runs} runs\n"
            )
            counts = {}
            for days in (1, 7, 28):
                with CaptureQueriesContext(connection) as ctx:
                    find_slots(kind, first, first + dt.timedelta(days=days - 1), now=now)
                counts[days] = len(ctx.captured_queries)
            _, token = create_api_token(actor=None, user=clinic["desk"], name="bench")
            client = Client(headers={"Authorization": f"Bearer {token}"})
            query = {"type": kind.code, "from": str(first), "to": str(last)}
            nurse = clinic["nurse"].pk
            cases = [
                ("find_slots, anyone, 28 days", lambda: find_slots(kind, first, last, now=now)),
                (
                    "find_slots, one clinician, 28 days",
                    lambda: find_slots(kind, first, last, now=now, clinician=nurse),
                ),
                (
                    "GET /api/v1/availability, 28 days",
                    lambda: client.get("/api/v1/availability", query),
                ),
            ]
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(
                f"{'search':<36} {'median ms':>9} {'p95 ms':>7} {'max ms':>7} "
                f"{'cpu median':>10} {'cpu p95':>7}  result"
            )
            print(f"{'-' * 36} {'-' * 9} {'-' * 7} {'-' * 7} {'-' * 10} {'-' * 7}  ------")
            for name, func in cases:
                times, cpu, result = measure(args.runs, func)
                size = (
                    f"{len(result)} slots"
                    if isinstance(result, list)
                    else f"HTTP {result.status_code}, {len(result.json()['slots'])} slots"
                )
                print(
                    f"{name:<36} {statistics.median(times):>9.2f} {p95(times):>7.2f} "
                    f"{max(times):>7.2f} {statistics.median(cpu):>10.2f} {p95(cpu):>7.2f}  {size}"
                )
            print(
                f"\nqueries per search: 1 day {counts[1]}, 7 days {counts[7]}, 28 days {counts[28]}"
            )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
