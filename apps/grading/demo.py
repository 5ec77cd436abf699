"""Demo data of the grading settings (JRN-4): the school grades in the 5-point system, ОРКСЭ
(4th grade, taught without marks) is pass/fail — its journals, which have no current marks, take
the system — and the ready-made scales (100→5, 10→5, 5→зачёт) are set up. A dozen statements."""

from __future__ import annotations

from apps.journal.grading import GradingSystem

from . import services

PASS_FAIL_SUBJECT = "Основы религиозных культур и светской этики"
PASS_FAIL_GRADES = (4, 4)


def seed(builder) -> None:
    school = builder.school
    services.systems_set(school=school, systems=[GradingSystem.PASS_FAIL])
    services.scale_defaults_install(school=school)
    subject = getattr(builder, "subjects", {}).get(PASS_FAIL_SUBJECT)
    if subject is None:  # a demo built without the 4th grade
        return
    rule = services.rule_create(
        school=school,
        subject=subject,
        grade_from=PASS_FAIL_GRADES[0],
        grade_to=PASS_FAIL_GRADES[1],
        system=GradingSystem.PASS_FAIL,
    )
    staff = getattr(builder, "admin_staff", {}).get("zavuch")
    # Only journals without marks change (the service refuses the others); the rule stays either way.
    services.rule_apply(rule=rule, author=getattr(staff, "user", None))
