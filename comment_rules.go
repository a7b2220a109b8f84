package trellis

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Who hears of comments on a promotion document, and what they read. The
// store decides with these rules inside the transaction that stores the
// comment or resolves the thread, so that a notice exists exactly when the
// comment does.

// Notification kinds of comments, each one a person may keep to the inbox
// (NotificationKinds).
const (
	NoticeCommented       = "document.commented"        // a new thread on a section
	NoticeCommentReplied  = "document.comment.replied"  // a reply in a thread
	NoticeCommentResolved = "document.comment.resolved" // a thread resolved
)

// CommentAudience returns who hears of a comment event, as person ids in
// order, without repeats and never the actor:
//   - a new thread (NoticeCommented): the candidate, then their direct
//     manager (managerID, nil when they have none);
//   - a reply (NoticeCommentReplied): the authors of the thread's earlier
//     comments, oldest first (thread, the first comment included), then the
//     candidate;
//   - resolving (NoticeCommentResolved): the author of the thread's first
//     comment (thread[0]).
//
// Whether each of them may still read the comment is MayReadComments,
// asked afterwards of the people as they are now: someone who can no longer
// read the document (or the review copy) hears nothing of it.
func CommentAudience(kind string, candidateID int64, managerID *int64, thread []*Comment, actorID int64) []int64 {
	var out []int64
	add := func(id int64) {
		if id > 0 && id != actorID && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	switch kind {
	case NoticeCommented:
		add(candidateID)
		if managerID != nil {
			add(*managerID)
		}
	case NoticeCommentReplied:
		for _, c := range thread {
			if c != nil {
				add(c.AuthorID)
			}
		}
		add(candidateID)
	case NoticeCommentResolved:
		if len(thread) > 0 && thread[0] != nil {
			add(thread[0].AuthorID)
		}
	}
	return out
}

// MayReadComments reports whether reader may read the comments of d on one
// copy, as the pages decide: the document's own comments with the document
// (its visibility; once the candidate shared it in the library, everyone
// signed in), the review copy's with the copy (managers, never the
// candidate). People who left read nothing. ownerChain is the candidate's
// managers, direct manager first.
func MayReadComments(reader Actor, owner *Person, ownerChain []int64, d *Document, reviewCopy bool) bool {
	if reader.Person == nil || !reader.Person.Active || owner == nil || d == nil {
		return false
	}
	reader.ReadOnly = false // reading is what is asked, whatever the token
	if reviewCopy {
		return Can(reader, ActionRead, Target{Kind: KindPeerReview, Owner: owner, OwnerChain: ownerChain})
	}
	if d.State == DocInLibrary {
		return true
	}
	return Can(reader, ActionRead, Target{Kind: KindDocument, Owner: owner, OwnerChain: ownerChain, Visibility: d.Visibility})
}

// maxNoticeExcerpt is how much of a comment a notice quotes, and
// maxNoticeTitle the longest title, in characters (a notification's title
// holds 300).
const (
	maxNoticeExcerpt = 500
	maxNoticeTitle   = 280
)

// excerpt cuts s to at most n characters on a word boundary where it can,
// marking the cut with an ellipsis.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}

// CommentNotice is the title and body of the notice of a comment event:
// who did what on which section of whose document, and the comment quoted
// (for a resolved thread, its first comment).
func CommentNotice(kind, actorName, candidateName, sectionTitle string, reviewCopy bool, text string) (title, body string) {
	where := fmt.Sprintf("%s in the promotion document of %s", sectionTitle, candidateName)
	if reviewCopy {
		where = fmt.Sprintf("%s in the review copy of %s's promotion document", sectionTitle, candidateName)
	}
	switch kind {
	case NoticeCommentReplied:
		title = fmt.Sprintf("%s replied on %s", actorName, where)
	case NoticeCommentResolved:
		title = fmt.Sprintf("%s resolved your comment on %s", actorName, where)
	default:
		title = fmt.Sprintf("%s commented on %s", actorName, where)
	}
	return excerpt(title, maxNoticeTitle), excerpt(text, maxNoticeExcerpt)
}

// SectionTitle returns the title of the document's section id in its
// template in fw, or the id when the template does not name it.
func (d *Document) SectionTitle(fw *Framework, id string) string {
	if tpl, ok := templateOf(d, fw); ok {
		for _, s := range tpl.Sections {
			if s.ID == id && s.Title != "" {
				return s.Title
			}
		}
	}
	return id
}
