"""WhatsApp through Twilio: signed webhooks in, the outbox's messages out (quick replies
through the Content API, numbered text where no template is set, approved templates
outside the 24-hour window), delivery receipts into the bitácora."""
