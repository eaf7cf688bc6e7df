ALTER TABLE "dashboard_daily" ADD COLUMN "ratings_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dashboard_daily" ADD COLUMN "ratings_sum" integer DEFAULT 0 NOT NULL;