import { Component } from '@angular/core'
import { ActivatedRoute } from '@angular/router'
import { DomSanitizer } from '@angular/platform-browser'

@Component({ selector: 'app-search-result', templateUrl: './search-result.component.html' })
export class SearchResultComponent {
  public searchValue?: any
  public emptyState = false
  public dataSource: any
  constructor (private readonly route: ActivatedRoute, private readonly sanitizer: DomSanitizer) {}
}
