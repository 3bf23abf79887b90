# frozen_string_literal: true
class Analytics < ApplicationRecord
  def self.count_by_col(col)
    calculate(:count, col)
  end
end
