"""Spanish, the default: every text a person reads, one module per part of the bot."""

from flows.texts.es.buttons import TEXTS as BUTTONS
from flows.texts.es.case_chat import TEXTS as CASE_CHAT
from flows.texts.es.case_help import TEXTS as CASE_HELP
from flows.texts.es.cases import TEXTS as CASES
from flows.texts.es.check_review import TEXTS as CHECK_REVIEW
from flows.texts.es.checkin_ask import TEXTS as CHECKIN_ASK
from flows.texts.es.closing import TEXTS as CLOSING
from flows.texts.es.conditions import TEXTS as CONDITIONS
from flows.texts.es.config import TEXTS as CONFIG
from flows.texts.es.contact import TEXTS as CONTACT
from flows.texts.es.core import TEXTS as CORE
from flows.texts.es.counts import TEXTS as COUNTS
from flows.texts.es.database import TEXTS as DATABASE
from flows.texts.es.digest import TEXTS as DIGEST
from flows.texts.es.doctor import TEXTS as DOCTOR
from flows.texts.es.drill import TEXTS as DRILL
from flows.texts.es.drill_channels import TEXTS as DRILL_CHANNELS
from flows.texts.es.drill_injects import TEXTS as DRILL_INJECTS
from flows.texts.es.drill_score import TEXTS as DRILL_SCORE
from flows.texts.es.drill_start import TEXTS as DRILL_START
from flows.texts.es.graph import TEXTS as GRAPH
from flows.texts.es.inbox import TEXTS as INBOX
from flows.texts.es.inputs import TEXTS as INPUTS
from flows.texts.es.manage import TEXTS as MANAGE
from flows.texts.es.options import TEXTS as OPTIONS
from flows.texts.es.safety import TEXTS as SAFETY
from flows.texts.es.slack import TEXTS as SLACK
from flows.texts.es.slack_degraded import TEXTS as SLACK_DEGRADED
from flows.texts.es.sms import TEXTS as SMS
from flows.texts.es.walk import TEXTS as WALK
from flows.texts.es.web import TEXTS as WEB
from flows.texts.es.web_cases import TEXTS as WEB_CASES
from flows.texts.es.whatsapp import TEXTS as WHATSAPP

TEXTS: dict[str, str] = {**CORE, **INBOX, **SLACK_DEGRADED, **CONTACT, **WEB, **WEB_CASES, **WHATSAPP, **SMS, **SLACK, **DOCTOR, **CONFIG, **DATABASE,
                       **SAFETY, **BUTTONS, **DIGEST, **CLOSING, **INPUTS, **DRILL, **MANAGE, **COUNTS, **GRAPH, **WALK, **CONDITIONS, **OPTIONS, **CASES, **CASE_HELP, **CASE_CHAT, **CHECK_REVIEW, **CHECKIN_ASK,
                       **DRILL_START, **DRILL_CHANNELS, **DRILL_INJECTS, **DRILL_SCORE}
