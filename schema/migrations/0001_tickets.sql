CREATE TABLE "matricola_sedi" (
	"matricola" text PRIMARY KEY NOT NULL,
	"office_code" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"recipient_kind" text NOT NULL,
	"recipient_id" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "outbox_kind_check" CHECK ("outbox"."kind" in ('registered', 'taken_in_charge', 'replied', 'closed')),
	CONSTRAINT "outbox_recipient_kind_check" CHECK ("outbox"."recipient_kind" in ('user', 'matricola', 'sede'))
);
--> statement-breakpoint
CREATE TABLE "ticket_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ticket_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_protocol_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_replies" (
	"ticket_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"author_id" text NOT NULL,
	"author_role" text NOT NULL,
	"author_name" text,
	"body" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_replies_pk" PRIMARY KEY("ticket_id","seq")
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"protocol" text NOT NULL,
	"subject" text NOT NULL,
	"category" text NOT NULL,
	"origin" text NOT NULL,
	"user_id" text,
	"user_role" text,
	"user_name" text,
	"user_fiscal_code" text,
	"matricola" text,
	"province" text,
	"sede" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"outcome" text,
	"created_by" text NOT NULL,
	"created_by_role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone,
	"taken_by" text,
	"responded_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"due_at" timestamp with time zone,
	"conversation_id" text,
	"last_reply_seq" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tickets_status_check" CHECK ("tickets"."status" in ('open', 'in_progress', 'closed')),
	CONSTRAINT "tickets_origin_check" CHECK ("tickets"."origin" in ('user', 'escalation', 'office')),
	CONSTRAINT "tickets_category_check" CHECK ("tickets"."category" in ('cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other')),
	CONSTRAINT "tickets_addressee_check" CHECK ("tickets"."user_id" is not null or "tickets"."matricola" is not null),
	CONSTRAINT "tickets_closed_check" CHECK (("tickets"."status" = 'closed') = ("tickets"."outcome" is not null and "tickets"."closed_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "matricola_sedi" ADD CONSTRAINT "matricola_sedi_office_code_offices_code_fk" FOREIGN KEY ("office_code") REFERENCES "public"."offices"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_ticket_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_audit" ADD CONSTRAINT "ticket_audit_ticket_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_replies" ADD CONSTRAINT "ticket_replies_ticket_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_sede_fk" FOREIGN KEY ("sede") REFERENCES "public"."offices"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_conversation_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "matricola_sedi_office_idx" ON "matricola_sedi" USING btree ("office_code");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("created_at") WHERE "outbox"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_ticket_idx" ON "outbox" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "ticket_audit_ticket_idx" ON "ticket_audit" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_protocol_unique" ON "tickets" USING btree ("protocol");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_conversation_unique" ON "tickets" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "tickets_sede_status_due_idx" ON "tickets" USING btree ("sede","status","due_at");--> statement-breakpoint
CREATE INDEX "tickets_user_idx" ON "tickets" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "tickets_matricola_idx" ON "tickets" USING btree ("matricola");--> statement-breakpoint
CREATE INDEX "tickets_created_idx" ON "tickets" USING btree ("created_at");