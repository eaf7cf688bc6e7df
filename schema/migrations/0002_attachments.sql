CREATE TABLE "attachment_blobs" (
	"storage_key" uuid PRIMARY KEY NOT NULL,
	"content" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mailbox_channel_check" CHECK ("mailbox"."channel" in ('email', 'sms', 'inbox'))
);
--> statement-breakpoint
CREATE TABLE "notice_contacts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"email" text,
	"phone" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_attachments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"reply_seq" integer NOT NULL,
	"n" smallint NOT NULL,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" uuid NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_attachments_storage_key_unique" UNIQUE("storage_key"),
	CONSTRAINT "ticket_attachments_n_check" CHECK ("ticket_attachments"."n" between 1 and 3),
	CONSTRAINT "ticket_attachments_size_check" CHECK ("ticket_attachments"."size" between 1 and 5242880),
	CONSTRAINT "ticket_attachments_media_type_check" CHECK ("ticket_attachments"."media_type" in ('application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'application/pkcs7-mime'))
);
--> statement-breakpoint
CREATE TABLE "conversation_waits" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"wait_ms" integer NOT NULL,
	CONSTRAINT "conversation_waits_wait_check" CHECK ("conversation_waits"."wait_ms" >= 0)
);
--> statement-breakpoint
CREATE TABLE "dashboard_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dashboard_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_name" text,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_daily" (
	"day" date NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"chats_served" integer NOT NULL,
	"avg_wait_seconds" double precision,
	"p90_wait_seconds" double precision,
	"escalations" integer NOT NULL,
	"tickets_opened" integer NOT NULL,
	"tickets_closed" integer NOT NULL,
	"tickets_overdue" integer NOT NULL,
	"backlog_end" integer NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dashboard_daily_pk" PRIMARY KEY("day","scope","key"),
	CONSTRAINT "dashboard_daily_scope_check" CHECK ("dashboard_daily"."scope" in ('national', 'sede', 'province'))
);
--> statement-breakpoint
CREATE TABLE "ticket_only_provinces" (
	"province" text PRIMARY KEY NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"set_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attachment_blobs" ADD CONSTRAINT "attachment_blobs_attachment_fk" FOREIGN KEY ("storage_key") REFERENCES "public"."ticket_attachments"("storage_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox" ADD CONSTRAINT "mailbox_ticket_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_reply_fk" FOREIGN KEY ("ticket_id","reply_seq") REFERENCES "public"."ticket_replies"("ticket_id","seq") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_waits" ADD CONSTRAINT "conversation_waits_conversation_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_only_provinces" ADD CONSTRAINT "ticket_only_provinces_province_provinces_code_fk" FOREIGN KEY ("province") REFERENCES "public"."provinces"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mailbox_delivered_idx" ON "mailbox" USING btree ("delivered_at");--> statement-breakpoint
CREATE INDEX "mailbox_recipient_idx" ON "mailbox" USING btree ("recipient");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_attachments_reply_n_unique" ON "ticket_attachments" USING btree ("ticket_id","reply_seq","n");--> statement-breakpoint
CREATE INDEX "dashboard_audit_at_idx" ON "dashboard_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "dashboard_audit_target_idx" ON "dashboard_audit" USING btree ("target","at");--> statement-breakpoint
CREATE INDEX "dashboard_daily_scope_key_idx" ON "dashboard_daily" USING btree ("scope","key","day");