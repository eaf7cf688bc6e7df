-- One open conversation per user (schema/tables.ts). A failover of Redis could already have opened a second
-- chat for someone: all but their latest open one are closed as 'duplicate' first, or the index could not be made.
UPDATE "conversations" AS c SET "status" = 'closed', "outcome" = 'duplicate', "closed_by" = 'system', "closed_at" = now()
WHERE c."status" = 'open' AND EXISTS (
  SELECT 1 FROM "conversations" AS d
  WHERE d."user_id" = c."user_id" AND d."status" = 'open' AND (d."opened_at", d."id") > (c."opened_at", c."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_one_open_per_user" ON "conversations" USING btree ("user_id") WHERE "conversations"."status" = 'open';
