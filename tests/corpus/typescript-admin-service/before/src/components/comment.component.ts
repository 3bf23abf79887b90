import { Component, Input } from "@angular/core";

export interface Comment {
  author: string;
  body: string;
}

@Component({
  selector: "app-comment",
  template: `<p class="author">{{ comment.author }}</p><p>{{ comment.body }}</p>`,
})
export class CommentComponent {
  @Input() comment!: Comment;
}
