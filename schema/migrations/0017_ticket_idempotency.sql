ALTER TABLE "tickets" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "idempotency_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_idempotency_unique" ON "tickets" USING btree ("created_by","idempotency_key") WHERE "tickets"."idempotency_key" is not null;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_idempotency_check" CHECK (("tickets"."idempotency_key" is null) = ("tickets"."idempotency_hash" is null));