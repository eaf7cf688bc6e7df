CREATE INDEX "mailbox_ticket_idx" ON "mailbox" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "conversations_closed_at_idx" ON "conversations" USING btree ("closed_at") WHERE "conversations"."status" = 'closed';--> statement-breakpoint
CREATE INDEX "tickets_closed_at_idx" ON "tickets" USING btree ("closed_at") WHERE "tickets"."status" = 'closed';