-- The chat's last seq when its advisor was given it: only their messages after it answer that assignment (a chat
-- handed back to an advisor who wrote in it before has its first-answer deadline again), and every node finds the
-- overdue ones through the partial index of the open chats by assigned_at (docs/routing.md, unansweredSeconds).
-- Numbered 0025: 0024 is another change's.
ALTER TABLE "conversations" ADD COLUMN "assigned_seq" integer;--> statement-breakpoint
CREATE INDEX "conversations_open_assigned_idx" ON "conversations" USING btree ("assigned_at") WHERE "conversations"."status" = 'open';