ALTER TABLE "conversations" ADD COLUMN "user_read_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "advisor_read_seq" integer DEFAULT 0 NOT NULL;