"""English texts of the WhatsApp transport (Twilio)."""

TEXTS: dict[str, str] = {
    # numbered answers where quick replies are not available
    "whatsapp.reply_with": "Reply {options}.",
    "whatsapp.option": "{n} for “{label}”",
    "whatsapp.option.claim": "{n} to take it",
    "whatsapp.option.done": "{n} if it is done",
    "whatsapp.option.cantdo": "{n} if you can't",
    "whatsapp.option.still": "{n} if you are still on it",
    "whatsapp.option.ack": "{n} to confirm you read it",
    "whatsapp.setting.content_sid": "“{value}” is not a template id (HX and 32 characters, as crisisbot whatsapp plantillas prints them)",
    "whatsapp.doctor.template_unset_lang": "WhatsApp: {setting} (template {name}) missing: people who read “{reads}” get the “{group}” template outside the 24-hour window",
    "whatsapp.media_only": "I can only read text for now: please write your message.",
    "whatsapp.card_update": "↻ {title} · {state}",
    "whatsapp.link": "🔗 {label}: {url}",
    # Content templates made by `crisisbot whatsapp plantillas` ({v1} becomes {{1}}...)
    "whatsapp.template.notice": "crisisbot · {v1}\nDetails: {v2}\n👉 {v3}\nWhen you answer I will send you the whole message.",
    "whatsapp.template.task": "crisisbot · {v1}\nDetails: {v2}\nChoose an option. When you answer I will send you the whole card.",
    "whatsapp.template.sample": "🚨 RED ALERT · declared by Jaime at 09:00.",
    "whatsapp.template.sample_detail": "Situation: server down · Tasks: · • 2 Call Entel: Cecilia",
    "whatsapp.template.sample_task": "📋 Step 2 · Call Entel",
    "whatsapp.template.sample_todo": "Reply 1 to confirm you read it.",
    "whatsapp.template.no_detail": "no more details",
    "whatsapp.template.digest_todo": "Write {commands}.",
    "whatsapp.template.no_todo": "Nothing to do for now.",
    # bitácora entries
    "log.whatsapp_delivered": "WhatsApp: message delivered to {to}",
    "log.whatsapp_read": "WhatsApp: {to} read the message",
    "log.whatsapp_failed": "WhatsApp: the message to {to} did not arrive ({status}, error {error})",
    "log.whatsapp_template": "WhatsApp: {to} was outside the 24-hour window; sent again as an approved template",
    "log.whatsapp_fallback": "WhatsApp did not reach {to}; sent again through {via}",
    "log.whatsapp_unanswered": "WhatsApp did not reach {to} and there is no other channel: counts as unanswered (escalation goes on)",
}
