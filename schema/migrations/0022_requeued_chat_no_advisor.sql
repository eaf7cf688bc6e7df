-- A chat back in the queue (its advisor left, transferred it, or did not answer) names no advisor until it is
-- matched again: the one it left no longer finds it in their welcome nor writes in it (docs/routing.md).
ALTER TABLE "conversations" ALTER COLUMN "advisor_id" DROP NOT NULL;