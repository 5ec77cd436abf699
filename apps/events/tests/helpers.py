"""Test data of the events app: classes that choose exams, with a parent for one student."""

from dataclasses import dataclass

from apps.accounts.models import Role
from tests import factories as f


@dataclass
class ExamClasses:
    class_9a: object
    class_11a: object
    vera: object  # 9А
    gleb: object  # 9А
    nina: object  # 11А
    vera_parent: object  # user, parent of Vera
    math: object
    russian: object
    physics: object


def exam_classes(world) -> ExamClasses:
    class_9a = f.make_class(world.year, 9, "А")
    class_11a = f.make_class(world.year, 11, "А")
    vera = f.enrol(f.StudentFactory(school=world.school, last_name="Волкова", first_name="Вера"), class_9a)
    gleb = f.enrol(f.StudentFactory(school=world.school, last_name="Глебов", first_name="Глеб"), class_9a)
    nina = f.enrol(f.StudentFactory(school=world.school, last_name="Нестерова", first_name="Нина"), class_11a)
    parent = f.UserFactory(username="vera_parent", last_name="Волкова", first_name="Валентина")
    f.link_guardian(
        f.GuardianFactory(school=world.school, user=parent, last_name="Волкова", first_name="Валентина"), vera
    )
    f.add_role(parent, world.school, Role.PARENT)
    physics = f.SubjectFactory(school=world.school, name="Физика")
    return ExamClasses(class_9a, class_11a, vera, gleb, nina, parent, world.math, world.russian, physics)
