// Package schema is a stand-in for a team's own models: a small library,
// with a has-many association, a unique index and NOT NULL columns.
package schema

import "time"

// Author writes books.
type Author struct {
	ID    uint   `gorm:"primaryKey"`
	Name  string `gorm:"not null"`
	Books []Book
}

// Book belongs to an author.
type Book struct {
	ID          uint   `gorm:"primaryKey"`
	Title       string `gorm:"not null"`
	ISBN        string `gorm:"uniqueIndex"`
	AuthorID    uint   `gorm:"not null;index"`
	Author      Author
	PublishedAt *time.Time
}
