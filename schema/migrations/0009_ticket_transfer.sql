-- A ticket transferred to the competent sede (POST /api/v1/tickets/:id/transfer, docs/tickets.md)
-- tells the user side with a notice of its own kind: the outbox admits 'transferred'.
ALTER TABLE "outbox" DROP CONSTRAINT "outbox_kind_check";--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_kind_check" CHECK ("outbox"."kind" in ('registered', 'taken_in_charge', 'replied', 'closed', 'transferred'));