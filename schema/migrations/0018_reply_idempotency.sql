ALTER TABLE "ticket_notes" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "ticket_notes" ADD COLUMN "idempotency_hash" text;--> statement-breakpoint
ALTER TABLE "ticket_replies" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "ticket_replies" ADD COLUMN "idempotency_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_notes_idempotency_unique" ON "ticket_notes" USING btree ("ticket_id","author_id","idempotency_key") WHERE "ticket_notes"."idempotency_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_replies_idempotency_unique" ON "ticket_replies" USING btree ("ticket_id","author_id","idempotency_key") WHERE "ticket_replies"."idempotency_key" is not null;--> statement-breakpoint
ALTER TABLE "ticket_notes" ADD CONSTRAINT "ticket_notes_idempotency_check" CHECK (("ticket_notes"."idempotency_key" is null) = ("ticket_notes"."idempotency_hash" is null));--> statement-breakpoint
ALTER TABLE "ticket_replies" ADD CONSTRAINT "ticket_replies_idempotency_check" CHECK (("ticket_replies"."idempotency_key" is null) = ("ticket_replies"."idempotency_hash" is null));