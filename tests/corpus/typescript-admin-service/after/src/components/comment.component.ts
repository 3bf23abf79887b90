import { Component, Input, OnChanges } from "@angular/core";
import { DomSanitizer, SafeHtml } from "@angular/platform-browser";
import { marked } from "marked";

export interface Comment {
  author: string;
  body: string;
}

@Component({
  selector: "app-comment",
  template: `<p class="author">{{ comment.author }}</p><div [innerHTML]="rendered"></div>`,
})
export class CommentComponent implements OnChanges {
  @Input() comment!: Comment;
  rendered: SafeHtml = "";

  constructor(private readonly sanitizer: DomSanitizer) {}

  ngOnChanges(): void {
    const html = marked.parse(this.comment.body) as string;
    this.rendered = this.sanitizer.bypassSecurityTrustHtml(html); // EXPECT: sanitizer bypassed for user markdown
  }
}
