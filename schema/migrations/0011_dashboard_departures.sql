CREATE TABLE "queue_departures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "queue_departures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"province" text NOT NULL,
	"audience" text NOT NULL,
	"topic" text NOT NULL,
	"reason" text NOT NULL,
	"waited_ms" integer NOT NULL,
	CONSTRAINT "queue_departures_reason_check" CHECK ("queue_departures"."reason" in ('cancelled', 'self_served', 'disconnected', 'timeout', 'closed')),
	CONSTRAINT "queue_departures_waited_check" CHECK ("queue_departures"."waited_ms" >= 0)
);
--> statement-breakpoint
ALTER TABLE "dashboard_daily" ADD COLUMN "departures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dashboard_daily" ADD COLUMN "departures_self_served" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_departures" ADD CONSTRAINT "queue_departures_province_provinces_code_fk" FOREIGN KEY ("province") REFERENCES "public"."provinces"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "queue_departures_at_idx" ON "queue_departures" USING btree ("at","province","reason");--> statement-breakpoint
CREATE INDEX "conversations_opened_at_idx" ON "conversations" USING btree ("opened_at","province");--> statement-breakpoint
COMMENT ON TABLE "queue_departures" IS 'Users who left a queue unserved (dashboard). No personal data: no user id, name or conversation id; not erased by RETENTION_DAYS, like dashboard_daily.';