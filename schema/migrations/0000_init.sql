CREATE TABLE "advisors" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"capacity" integer DEFAULT 3 NOT NULL,
	"skills" jsonb DEFAULT '{"audiences":[],"topics":[],"languages":["it"],"provinces":[],"regions":[]}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "advisors_capacity_check" CHECK ("advisors"."capacity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"user_role" text NOT NULL,
	"user_name" text,
	"province" text NOT NULL,
	"audience" text NOT NULL,
	"topic" text NOT NULL,
	"entry" text NOT NULL,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"advisor_id" text NOT NULL,
	"advisor_name" text,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"rating" smallint,
	"closed_by" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"last_seq" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "conversations_status_check" CHECK ("conversations"."status" in ('open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"conversation_id" text NOT NULL,
	"seq" integer NOT NULL,
	"sender_id" text NOT NULL,
	"sender_role" text NOT NULL,
	"client_msg_id" text NOT NULL,
	"text" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messages_pk" PRIMARY KEY("conversation_id","seq"),
	CONSTRAINT "messages_client_msg_unique" UNIQUE("conversation_id","sender_id","client_msg_id")
);
--> statement-breakpoint
CREATE TABLE "office_provinces" (
	"province" text PRIMARY KEY NOT NULL,
	"office_code" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offices" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"province" text NOT NULL,
	"email" text
);
--> statement-breakpoint
CREATE TABLE "provinces" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"region" text NOT NULL,
	"istat" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_provinces" ADD CONSTRAINT "office_provinces_province_provinces_code_fk" FOREIGN KEY ("province") REFERENCES "public"."provinces"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_provinces" ADD CONSTRAINT "office_provinces_office_code_offices_code_fk" FOREIGN KEY ("office_code") REFERENCES "public"."offices"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "offices" ADD CONSTRAINT "offices_province_provinces_code_fk" FOREIGN KEY ("province") REFERENCES "public"."provinces"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_user_status_idx" ON "conversations" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "conversations_advisor_status_idx" ON "conversations" USING btree ("advisor_id","status");--> statement-breakpoint
CREATE INDEX "office_provinces_office_idx" ON "office_provinces" USING btree ("office_code");--> statement-breakpoint
CREATE INDEX "offices_province_idx" ON "offices" USING btree ("province");