ALTER TABLE "outbox" DROP CONSTRAINT "outbox_kind_check";--> statement-breakpoint
ALTER TABLE "mailbox" ALTER COLUMN "ticket_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ALTER COLUMN "ticket_id" DROP NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_digest_unique" ON "outbox" USING btree ("recipient_id",("payload" ->> 'day')) WHERE "outbox"."kind" = 'digest';--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_ticket_check" CHECK (("outbox"."ticket_id" is null) = ("outbox"."kind" = 'digest'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_kind_check" CHECK ("outbox"."kind" in ('registered', 'taken_in_charge', 'replied', 'closed', 'transferred', 'digest'));