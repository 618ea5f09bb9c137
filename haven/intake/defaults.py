"""The forms every practice starts with (FORM-2), editable as copies: the practice's own form is made from
these when the practice is created, and a change is published as a new version of that form.

Wording of the consents is a sensible start, not legal advice: the practice edits it to its own policies.
PHQ-9 and GAD-7 keep their published wording, item keys and LOINC codes, so they are scored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from haven.intake.fields import Condition, Field, FieldType, Option, Prefill, Schema
from haven.intake.scoring import FREQUENCY, MeasureCode

__all__ = ["DEFAULT_FORMS", "DefaultForm"]


@dataclass(frozen=True)
class DefaultForm:
    key: str
    title: str
    description: str
    schema: Schema
    measure: MeasureCode | None = None


def _text(key: str, label: str, *, required: bool = False, prefill: Prefill | None = None, help: str = "") -> Field:
    return Field(key, FieldType.SHORT_TEXT, label, help=help, required=required, prefill=prefill)


def _consent(key: str, text: str) -> tuple[Field, ...]:
    """An acknowledgment: the policy's words, "I agree", the date and a signature."""
    return (
        Field(f"{key}_text", FieldType.HEADING, text),
        Field(f"{key}_agree", FieldType.YES_NO, str(_("I have read and agree to the above.")), required=True),
        _text("signer_name", str(_("Name of the person signing")), required=True),
        Field(
            "relationship",
            FieldType.SINGLE_CHOICE,
            str(_("I am signing as")),
            required=True,
            options=(
                Option("self", str(_("The client"))),
                Option("guardian", str(_("The client's parent or legal guardian"))),
            ),
        ),
        Field("signature", FieldType.SIGNATURE, str(_("Signature")), required=True),
    )


_FREQUENCY = tuple(Option(value, str(label)) for value, label in FREQUENCY)
_DIFFICULTY = (
    Option("not_difficult", str(_("Not difficult at all"))),
    Option("somewhat", str(_("Somewhat difficult"))),
    Option("very", str(_("Very difficult"))),
    Option("extremely", str(_("Extremely difficult"))),
)

_PHQ9_ITEMS = (
    ("44250-9", _("Little interest or pleasure in doing things")),
    ("44255-8", _("Feeling down, depressed, or hopeless")),
    ("44259-0", _("Trouble falling or staying asleep, or sleeping too much")),
    ("44254-1", _("Feeling tired or having little energy")),
    ("44251-7", _("Poor appetite or overeating")),
    (
        "44258-2",
        _("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"),
    ),
    ("44252-5", _("Trouble concentrating on things, such as reading the newspaper or watching television")),
    (
        "44253-3",
        _(
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
            "fidgety or restless that you have been moving around a lot more than usual"
        ),
    ),
    ("44260-8", _("Thoughts that you would be better off dead or of hurting yourself in some way")),
)

_GAD7_ITEMS = (
    ("69725-0", _("Feeling nervous, anxious or on edge")),
    ("68509-9", _("Not being able to stop or control worrying")),
    ("69733-4", _("Worrying too much about different things")),
    ("69734-2", _("Trouble relaxing")),
    ("69735-9", _("Being so restless that it is hard to sit still")),
    ("69689-8", _("Becoming easily annoyed or irritable")),
    ("69736-7", _("Feeling afraid as if something awful might happen")),
)


def _measure(prefix: str, intro: str, items: tuple[tuple[str, object], ...], difficulty_code: str) -> Schema:
    fields = [Field(f"{prefix}_intro", FieldType.HEADING, intro)]
    for number, (code, text) in enumerate(items, start=1):
        fields.append(
            Field(
                f"{prefix}_{number}", FieldType.SINGLE_CHOICE, str(text), required=True, options=_FREQUENCY, code=code
            )
        )
    fields.append(
        Field(
            f"{prefix}_difficulty",
            FieldType.SINGLE_CHOICE,
            str(
                _(
                    "If you checked off any problems, how difficult have these problems made it for you to do your "
                    "work, take care of things at home, or get along with other people?"
                )
            ),
            options=_DIFFICULTY,
            code=difficulty_code,
        )
    )
    return Schema(tuple(fields))


_OVER_TWO_WEEKS = str(_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"))


def _demographics() -> Schema:
    return Schema(
        (
            Field("about_heading", FieldType.HEADING, str(_("About the client"))),
            _text("name", str(_("Full name")), required=True, prefill=Prefill.NAME),
            _text("preferred_name", str(_("Name you would like us to use"))),
            _text("pronouns", str(_("Pronouns"))),
            Field(
                "date_of_birth", FieldType.DATE, str(_("Date of birth")), required=True, prefill=Prefill.DATE_OF_BIRTH
            ),
            Field("address", FieldType.PARAGRAPH, str(_("Home address")), prefill=Prefill.ADDRESS),
            _text("phone", str(_("Phone")), prefill=Prefill.PHONE),
            _text("email", str(_("Email")), prefill=Prefill.EMAIL),
            Field("may_leave_message", FieldType.YES_NO, str(_("May we leave a message at this number?"))),
            _text("guardian_name", str(_("Parent or guardian (for a minor)")), prefill=Prefill.GUARDIAN_NAME),
            Field("emergency_heading", FieldType.HEADING, str(_("Emergency contact"))),
            _text("emergency_name", str(_("Name")), required=True),
            _text("emergency_relationship", str(_("Relationship"))),
            _text("emergency_phone", str(_("Phone")), required=True),
            Field("care_heading", FieldType.HEADING, str(_("Your care"))),
            Field("reason", FieldType.PARAGRAPH, str(_("What brings you to us?"))),
            Field("prior_therapy", FieldType.YES_NO, str(_("Have you seen a therapist or counselor before?"))),
            Field(
                "prior_therapy_details",
                FieldType.PARAGRAPH,
                str(_("When, and with whom?")),
                show_when=Condition("prior_therapy", "yes"),
            ),
            Field("medications", FieldType.PARAGRAPH, str(_("Medications you take now (name and dose)"))),
        )
    )


DEFAULT_FORMS: tuple[DefaultForm, ...] = (
    DefaultForm(
        "demographics",
        str(_("Client Information")),
        str(_("Contact details, emergency contact and what brings the client to the practice.")),
        _demographics(),
    ),
    DefaultForm(
        "consent_for_treatment",
        str(_("Consent for Treatment")),
        str(_("The client's informed consent to assessment and treatment.")),
        Schema(
            _consent(
                "consent",
                str(
                    _(
                        "I consent to assessment and treatment by the clinicians of this practice. I understand "
                        "what therapy involves, that I may ask questions about it at any time, and that I may end "
                        "treatment whenever I choose. I understand the limits of confidentiality: a clinician must "
                        "act to protect someone at risk of serious harm, report suspected abuse or neglect of a "
                        "child or vulnerable adult, and answer a court order."
                    )
                ),
            )
        ),
    ),
    DefaultForm(
        "privacy_notice",
        str(_("Notice of Privacy Practices Acknowledgment")),
        str(_("Acknowledges receipt of the practice's Notice of Privacy Practices.")),
        Schema(
            _consent(
                "privacy",
                str(
                    _(
                        "I acknowledge that I have been given this practice's Notice of Privacy Practices, which "
                        "describes how my health information may be used and disclosed and how I can get access "
                        "to it."
                    )
                ),
            )
        ),
    ),
    DefaultForm(
        "release_of_information",
        str(_("Authorization for Release of Information")),
        str(_("Permission to share information with a named person or organization.")),
        Schema(
            (
                Field(
                    "roi_intro",
                    FieldType.HEADING,
                    str(_("I authorize this practice to exchange information about my care with:")),
                ),
                _text("recipient_name", str(_("Person or organization")), required=True),
                Field("recipient_address", FieldType.PARAGRAPH, str(_("Address, phone or fax"))),
                Field(
                    "information",
                    FieldType.MULTIPLE_CHOICE,
                    str(_("Information that may be shared")),
                    required=True,
                    options=(
                        Option("attendance", str(_("Attendance and scheduling"))),
                        Option("diagnosis", str(_("Diagnosis"))),
                        Option("treatment_plan", str(_("Treatment plan and progress"))),
                        Option("assessments", str(_("Assessment results"))),
                        Option("other", str(_("Other"))),
                    ),
                ),
                Field(
                    "information_other",
                    FieldType.SHORT_TEXT,
                    str(_("Other information")),
                    required=True,
                    show_when=Condition("information", "other"),
                ),
                _text("purpose", str(_("Purpose")), required=True),
                Field(
                    "expires_on",
                    FieldType.DATE,
                    str(_("This authorization ends on")),
                    help=str(_("You may revoke it in writing at any time before then.")),
                ),
                *_consent(
                    "roi",
                    str(
                        _(
                            "I understand that information disclosed may no longer be protected by federal privacy "
                            "law, and that my treatment does not depend on signing this authorization."
                        )
                    ),
                ),
            )
        ),
    ),
    DefaultForm(
        "telehealth_consent",
        str(_("Telehealth Consent")),
        str(_("Consent to sessions by video or telephone.")),
        Schema(
            _consent(
                "telehealth",
                str(
                    _(
                        "I consent to receive services by secure video or telephone. I understand the risks of "
                        "technology failure and of others overhearing, that I should be in a private place, and "
                        "that in an emergency I call 911 or 988 rather than rely on a telehealth session."
                    )
                ),
            )
        ),
    ),
    DefaultForm(
        "financial_policy",
        str(_("Financial Policy")),
        str(_("Fees, insurance, missed appointments and late cancellations.")),
        Schema(
            _consent(
                "financial",
                str(
                    _(
                        "I understand that I am responsible for fees not paid by insurance, that payment is due "
                        "at the time of service, and that an appointment cancelled with less notice than the "
                        "practice's cancellation policy, or missed, may be charged."
                    )
                ),
            )
        ),
    ),
    DefaultForm(
        "phq9",
        "PHQ-9",
        str(_("Patient Health Questionnaire: depression screening, scored 0 to 27.")),
        _measure("phq9", _OVER_TWO_WEEKS, _PHQ9_ITEMS, "69722-7"),
        MeasureCode.PHQ9,
    ),
    DefaultForm(
        "gad7",
        "GAD-7",
        str(_("Generalized Anxiety Disorder scale: anxiety screening, scored 0 to 21.")),
        _measure("gad7", _OVER_TWO_WEEKS, _GAD7_ITEMS, "69726-8"),
        MeasureCode.GAD7,
    ),
)
