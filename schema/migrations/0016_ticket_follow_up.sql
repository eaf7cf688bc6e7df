ALTER TABLE "tickets" ADD COLUMN "follows_ticket_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "follows_protocol" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_follows_fk" FOREIGN KEY ("follows_ticket_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_follows_idx" ON "tickets" USING btree ("follows_ticket_id") WHERE "tickets"."follows_ticket_id" is not null;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_follows_check" CHECK ("tickets"."follows_ticket_id" is null or "tickets"."follows_protocol" is not null);