-- When the advisor a conversation names was given it: the first-answer deadline counts from it, so a welcome on
-- any node (not only the one that assigned the chat) tells the advisor by when to answer (docs/routing.md).
ALTER TABLE "conversations" ADD COLUMN "assigned_at" timestamp with time zone;