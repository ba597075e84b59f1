"""English: the same keys as flows/texts/es, one module per part of the bot."""

from flows.texts.en.buttons import TEXTS as BUTTONS
from flows.texts.en.case_chat import TEXTS as CASE_CHAT
from flows.texts.en.case_help import TEXTS as CASE_HELP
from flows.texts.en.cases import TEXTS as CASES
from flows.texts.en.check_review import TEXTS as CHECK_REVIEW
from flows.texts.en.checkin_ask import TEXTS as CHECKIN_ASK
from flows.texts.en.closing import TEXTS as CLOSING
from flows.texts.en.conditions import TEXTS as CONDITIONS
from flows.texts.en.config import TEXTS as CONFIG
from flows.texts.en.contact import TEXTS as CONTACT
from flows.texts.en.core import TEXTS as CORE
from flows.texts.en.counts import TEXTS as COUNTS
from flows.texts.en.database import TEXTS as DATABASE
from flows.texts.en.digest import TEXTS as DIGEST
from flows.texts.en.doctor import TEXTS as DOCTOR
from flows.texts.en.drill import TEXTS as DRILL
from flows.texts.en.drill_channels import TEXTS as DRILL_CHANNELS
from flows.texts.en.drill_injects import TEXTS as DRILL_INJECTS
from flows.texts.en.drill_score import TEXTS as DRILL_SCORE
from flows.texts.en.drill_start import TEXTS as DRILL_START
from flows.texts.en.graph import TEXTS as GRAPH
from flows.texts.en.inbox import TEXTS as INBOX
from flows.texts.en.inputs import TEXTS as INPUTS
from flows.texts.en.manage import TEXTS as MANAGE
from flows.texts.en.options import TEXTS as OPTIONS
from flows.texts.en.safety import TEXTS as SAFETY
from flows.texts.en.slack import TEXTS as SLACK
from flows.texts.en.slack_degraded import TEXTS as SLACK_DEGRADED
from flows.texts.en.sms import TEXTS as SMS
from flows.texts.en.walk import TEXTS as WALK
from flows.texts.en.web import TEXTS as WEB
from flows.texts.en.web_cases import TEXTS as WEB_CASES
from flows.texts.en.whatsapp import TEXTS as WHATSAPP

TEXTS: dict[str, str] = {**CORE, **INBOX, **SLACK_DEGRADED, **CONTACT, **WEB, **WEB_CASES, **WHATSAPP, **SMS, **SLACK, **DOCTOR, **CONFIG, **DATABASE,
                       **SAFETY, **BUTTONS, **DIGEST, **CLOSING, **INPUTS, **DRILL, **MANAGE, **COUNTS, **GRAPH, **WALK, **CONDITIONS, **OPTIONS, **CASES, **CASE_HELP, **CASE_CHAT, **CHECK_REVIEW, **CHECKIN_ASK,
                       **DRILL_START, **DRILL_CHANNELS, **DRILL_INJECTS, **DRILL_SCORE}
