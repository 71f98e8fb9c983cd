from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.cross_origin import ReaderForm
from forum.models import PollQuestion


class PollForm(ReaderForm):
    """One radio group per question of the article; built from the database."""

    def answers(self) -> dict[int, int]:
        return {
            int(name[2:]): field.data
            for name, field in self._fields.items()
            if name.startswith("q_")
        }


def build_poll_form(questions: list[PollQuestion], **kwargs) -> PollForm:
    fields = {
        f"q_{question.id}": RadioField(
            question.prompt,
            choices=[SelectChoice(choice.id, choice.label) for choice in question.choices],
            coerce=int,
            validators=[InputRequired(message=_l("Choisissez une réponse à cette question."))],
        )
        for question in questions
    }
    form_class = type("ArticlePollForm", (PollForm,), fields)
    return form_class(**kwargs)
