"""Demo activity for ``flask seed-demo``: money, training, a call and exchanges in motion."""

from __future__ import annotations

from datetime import date


def seed_activity(users: dict, cities: dict) -> None:
    """A funded fiscal year, training, an open call and exchanges in every state worth seeing."""
    from datetime import timedelta

    from hrfund.applications import calls as call_services
    from hrfund.applications import services as application_services
    from hrfund.core.fiscal import fiscal_year_of, tokyo_today
    from hrfund.fund import services as fund
    from hrfund.placements import (
        milestones as placement_milestones,
    )
    from hrfund.placements import (
        nominations,
    )
    from hrfund.placements import (
        services as placement_services,
    )
    from hrfund.training import records as training_records
    from hrfund.training import services as training

    hr = users["suzuki.ichiro@metro.tokyo.example"]
    yamada = users["yamada.taro@metro.tokyo.example"]
    sato = users["sato.hanako@metro.tokyo.example"]
    today = tokyo_today()
    fy = fiscal_year_of(today)
    fund.contribute(hr, 120_000_000, date(fy, 4, 1), memo="都の予算からの積立 / appropriation")
    for category, amount in (
        ("outgoing", 40_000_000),
        ("incoming", 15_000_000),
        ("training", 8_000_000),
        ("operations", 2_000_000),
    ):
        fund.allocate(hr, fy, category, amount)
    # the open call is for next year's placements: its line is funded in advance
    fund.allocate(hr, fy + 1, "outgoing", 30_000_000, memo="次年度募集分 / next year's call")

    cross_cultural = training.create_program(
        hr,
        code="CC-101",
        title_ja="異文化コミュニケーション研修",
        title_en="Cross-cultural communication",
        category="cross_cultural",
        hours="12",
        provider="東京都職員研修所",
        language="ja",
    )
    training.create_program(
        hr,
        code="EN-ADV",
        title_ja="上級英語研修",
        title_en="Advanced English",
        category="language",
        hours="40",
        provider="British Council Tokyo",
        language="en",
    )
    training_records.record_training(
        hr, yamada, cross_cultural, status="completed", completed_on=date(fy, 5, 20), hours="12"
    )
    training_records.add_language_score(
        hr, yamada, test="ielts", score="7.0", taken_on=today - timedelta(days=200)
    )

    call = call_services.create_call(
        hr,
        title_ja=f"{fy + 1}年度 海外都市派遣研修",
        title_en=f"Overseas city secondments FY{fy + 1}",
        fiscal_year=fy + 1,
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=21),
        slots=[
            {"city": "SEL", "positions": 2, "months": 6, "estimated_cost_jpy": 2_400_000},
            {"city": "BER", "positions": 1, "months": 6, "estimated_cost_jpy": 3_600_000},
            {"city": "NSW", "positions": 1, "months": 12, "estimated_cost_jpy": 5_000_000},
        ],
        rules={
            "min_years_of_service": 3,
            "language": {"test": "ielts", "min_score": "6.5"},
            "required_programs": [cross_cultural.id],
        },
        description="パートナー都市で都市づくり・環境政策の実務を学ぶ職員を募集します。",
    )
    call_services.open_call(hr, call)
    application_services.create_application(
        yamada,
        call,
        preferences=["SEL", "BER"],
        statement="ソウル市の都市再生事業に参加し、都の政策に活かしたい。",
        start_on=date(fy + 1, 10, 1),
        end_on=date(fy + 2, 3, 31),
        travel_jpy=250_000,
        stipend_jpy=1_200_000,
        housing_jpy=900_000,
    )

    # an application submitted and endorsed: HR's decision is the next step in the demo
    tanaka = users["tanaka.misaki@metro.tokyo.example"]
    training_records.record_training(
        hr, tanaka, cross_cultural, status="completed", completed_on=date(fy, 6, 10), hours="12"
    )
    training_records.add_language_score(
        hr, tanaka, test="ielts", score="7.5", taken_on=today - timedelta(days=120)
    )
    waiting = application_services.create_application(
        tanaka,
        call,
        preferences=["BER", "NSW"],
        statement="ベルリン市の気候変動適応策を学び、都の環境政策に活かしたい。",
        start_on=date(fy + 1, 10, 1),
        end_on=date(fy + 2, 3, 31),
        travel_jpy=280_000,
        stipend_jpy=1_500_000,
        housing_jpy=1_100_000,
    )
    application_services.submit_application(tanaka, waiting)
    application_services.endorse_application(sato, waiting, comment="推薦します。")

    proposed = placement_services.create_outgoing_placement(
        hr,
        person=yamada,
        city=cities["SEL"],
        start_on=today + timedelta(days=40),
        end_on=today + timedelta(days=220),
        amount_jpy=2_200_000,
        purpose="スマートシティ政策の共同研究 / smart-city policy exchange",
    )
    active = placement_services.create_outgoing_placement(
        hr,
        person=sato,
        city=cities["BER"],
        start_on=today - timedelta(days=60),
        end_on=today + timedelta(days=120),
        amount_jpy=3_000_000,
        purpose="気候変動対策の実務研修 / climate policy",
    )
    placement_services.confirm_placement(
        users["anna.schmidt@berlin.example"],
        active,
        host_office="Senatsverwaltung für Umwelt",
        host_supervisor="Dr. Jonas Weber",
    )
    placement_services.start_placement(
        users["anna.schmidt@berlin.example"], active, arrived_on=today - timedelta(days=59)
    )
    for milestone in active.milestones:  # what had to happen before arrival, happened
        if milestone.due_on < today and milestone.done_at is None:
            placement_milestones.complete_milestone(sato, milestone)
    fund.disburse(
        hr,
        paid_on=today - timedelta(days=55),
        amount=1_200_000,
        currency="JPY",
        placement_id=active.id,
        memo="渡航費・初月手当 / travel and first stipend",
    )
    nominations.nominate(
        users["kim.minji@seoul.example"],
        name="Lee Jiwoo",
        email="lee.jiwoo@seoul.example",
        position="Deputy Director, Smart City Division",
        start_on=today + timedelta(days=30),
        end_on=today + timedelta(days=120),
    )
    del proposed
