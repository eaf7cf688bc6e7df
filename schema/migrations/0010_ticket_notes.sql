-- Internal notes of the sede's staff on a Linea INPS ticket (docs/tickets.md, "Internal notes"): a table of
-- their own, never read by a user path; erased with the ticket (ON DELETE CASCADE, so retention takes them too).
CREATE TABLE "ticket_notes" (
	"ticket_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"author_id" text NOT NULL,
	"author_role" text NOT NULL,
	"author_name" text,
	"body" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_notes_pk" PRIMARY KEY("ticket_id","seq"),
	CONSTRAINT "ticket_notes_seq_check" CHECK ("ticket_notes"."seq" >= 1)
);
--> statement-breakpoint
ALTER TABLE "ticket_notes" ADD CONSTRAINT "ticket_notes_ticket_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;