CREATE TABLE "announcements" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "announcements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"title_it" text NOT NULL,
	"text_it" text NOT NULL,
	"title_de" text,
	"text_de" text,
	"title_en" text,
	"text_en" text,
	"severity" text NOT NULL,
	"audiences" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"provinces" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_by_name" text,
	"created_at" timestamp with time zone NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by" text,
	CONSTRAINT "announcements_severity_check" CHECK ("announcements"."severity" in ('info', 'warning')),
	CONSTRAINT "announcements_window_check" CHECK ("announcements"."ends_at" > "announcements"."starts_at"),
	CONSTRAINT "announcements_de_pair_check" CHECK (("announcements"."title_de" is null) = ("announcements"."text_de" is null)),
	CONSTRAINT "announcements_en_pair_check" CHECK (("announcements"."title_en" is null) = ("announcements"."text_en" is null))
);
--> statement-breakpoint
CREATE INDEX "announcements_ends_at_idx" ON "announcements" USING btree ("ends_at");