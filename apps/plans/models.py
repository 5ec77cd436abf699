"""The calendar-thematic plan (КТП, JRN-2): a journal's planned topics with their hours, and the
record of which lesson took its topic from which plan item.

Writes go through apps.plans.services; reads through apps.plans.selectors.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ITEM_HOURS = 10  # an item of the plan is one topic: a longer one is split into several
TOPIC_MAX = 500  # as Lesson.topic
SECTION_MAX = 200
NOTE_MAX = 500


class PlanItem(models.Model):
    """One topic of a journal's plan: lessons take it in order, `hours` lessons in a row."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey("journal.Journal", on_delete=models.CASCADE, related_name="plan_items")
    order = models.PositiveIntegerField(_("№ по порядку"))
    section = models.CharField(_("раздел"), max_length=SECTION_MAX, blank=True)
    topic = models.CharField(_("тема"), max_length=TOPIC_MAX)
    hours = models.PositiveSmallIntegerField(_("часов"), default=1)
    planned_date = models.DateField(_("планируемая дата"), null=True, blank=True)
    note = models.CharField(_("примечание"), max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = _("тема плана (КТП)")
        verbose_name_plural = _("календарно-тематический план")
        ordering = ["journal", "order", "id"]
        indexes = [models.Index(fields=["journal", "order"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=1, hours__lte=MAX_ITEM_HOURS), name="plan_item_hours_1_10"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.topic} ({self.hours})"


class PlanLink(models.Model):
    """A lesson whose topic was written from the plan: which item, and the text written. While the
    lesson's topic is still that text, the topic follows the plan; once the teacher edits it, the
    topic is hers and the link is dropped."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    lesson = models.OneToOneField("journal.Lesson", on_delete=models.CASCADE, related_name="plan_link")
    item = models.ForeignKey(PlanItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="links")
    topic = models.CharField(_("тема из плана"), max_length=TOPIC_MAX)

    class Meta:
        verbose_name = _("тема урока из КТП")
        verbose_name_plural = _("темы уроков из КТП")

    def __str__(self):
        return f"{self.lesson_id} ← {self.item_id}"
